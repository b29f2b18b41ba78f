/**
 * The string a template may read from `record` under `key`: an own property holding a string,
 * else undefined. Templates name fields by text an admin or a merchant wrote, so
 * `{{constructor}}`, `{{__proto__}}` or `{{answers.toString}}` must find nothing rather than
 * what every object inherits.
 *
 * @example
 * ownText({ name: '张女士' }, 'name'); // '张女士'
 * ownText({}, 'constructor');          // undefined
 */
export function ownText(record: Readonly<Record<string, unknown>>, key: string): string | undefined {
  if (!Object.hasOwn(record, key)) return undefined;
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}
