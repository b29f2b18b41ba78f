/**
 * A refusal's list of problems, bounded whatever the file: the first `MAX_PROBLEMS_SHOWN` are kept
 * (each message cut to `MAX_MESSAGE_CHARS`, since parser messages quote the cell they stopped at),
 * the rest only counted. A hostile file can hold a problem on every line; the answer stays a few KB.
 */

export const MAX_PROBLEMS_SHOWN = 50;
/** Past this many problems reading stops: the file is not what the merchant meant to send. */
export const MAX_PROBLEMS_COUNTED = 1_000;
export const MAX_MESSAGE_CHARS = 120;

export interface Problem {
  line?: number;
  row?: number;
  field?: string;
  message: string;
}

export interface ProblemList {
  add(problem: Problem): void;
  /** Problems in all, shown or not. */
  readonly total: number;
  /** Lines (or rows) with at least one problem. */
  readonly places: number;
  /** Enough problems counted to stop reading. */
  readonly full: boolean;
  shown(): Problem[];
}

export function createProblemList(): ProblemList {
  const shown: Problem[] = [];
  let total = 0;
  let places = 0;
  let lastPlace: number | undefined;
  return {
    add(problem) {
      total += 1;
      // Problems arrive in file order, so a new place is one unlike the last.
      const place = problem.line ?? problem.row;
      if (place === undefined || place !== lastPlace) places += 1;
      lastPlace = place;
      if (shown.length < MAX_PROBLEMS_SHOWN) shown.push({ ...problem, message: cut(problem.message, MAX_MESSAGE_CHARS) });
    },
    get total() {
      return total;
    },
    get places() {
      return places;
    },
    get full() {
      return total >= MAX_PROBLEMS_COUNTED;
    },
    shown: () => shown,
  };
}

/** `text` cut to `max` characters, saying how much was left out. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
