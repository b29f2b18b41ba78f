import type { CatalogItem } from '../../core/analysis.ts';
import { catalogKey } from '../../core/foldText.ts';
import { formatPath } from './flowProblem.ts';
import type { RawProblem } from './flowProblem.ts';
import type { PathSegment } from './listRoutes.ts';

/**
 * Checks a flow's catalogue: ids are unique, and every name and synonym selects one item only.
 * Words are compared the way the analyser reads replies (full-width, traditional characters,
 * case, spaces and hyphens folded), because two words that read the same to the matcher would
 * make the answer ambiguous. A one-character word is refused: it would match inside unrelated
 * words (脸 in 脸色).
 */
export function checkCatalog(catalog: readonly CatalogItem[]): RawProblem[] {
  const problems: RawProblem[] = [];
  const firstId = new Map<string, number>();
  const claimedBy = new Map<string, { item: number; at: PathSegment[] }>();
  catalog.forEach((item, i) => {
    const first = firstId.get(item.id);
    if (first === undefined) firstId.set(item.id, i);
    else problems.push({ segments: ['catalog', i, 'id'], message: `duplicate catalogue id "${item.id}" (first used at catalog[${first}])` });

    for (const { term, at } of wordsOf(item, i)) {
      const key = catalogKey(term);
      const readAs = key === term ? '' : ` (read as "${key}")`;
      if ([...key].length < 2) {
        problems.push({ segments: at, message: `"${term}"${readAs} is shorter than two characters; it would match inside unrelated words` });
        continue;
      }
      const owner = claimedBy.get(key);
      if (owner === undefined) claimedBy.set(key, { item: i, at });
      else if (owner.item !== i) {
        const other = catalog[owner.item]?.id ?? '';
        problems.push({
          segments: at,
          message: `"${term}"${readAs} already selects "${other}" (${formatPath(owner.at)}); a name or synonym may belong to one item only`,
        });
      }
    }
  });
  return problems;
}

function wordsOf(item: CatalogItem, i: number): Array<{ term: string; at: PathSegment[] }> {
  return [
    { term: item.name, at: ['catalog', i, 'name'] },
    ...(item.synonyms ?? []).map((term, k) => ({ term, at: ['catalog', i, 'synonyms', k] as PathSegment[] })),
  ];
}
