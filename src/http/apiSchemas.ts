import { z } from 'zod';

/** `{ items: [...] }`: the shape of every unpaged list the API answers. */
export const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** A page of a list, newest first; `next` is the cursor for the following page (null at the end). */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next: z.string().nullable() });

/** An answer whose shape is documented in prose only (free-form records). */
export const looseObject = (description: string) => z.record(z.string(), z.unknown()).describe(description);
