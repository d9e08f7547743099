/**
 * Shape limits on a JSON request body, checked on the raw text before it is parsed: how deeply it nests and how
 * many items one array holds. One linear scan, no recursion, so a hostile body (a million `[`) costs O(n) and
 * never reaches a recursive parser or validator.
 */
import { GraphError } from '../http/errors.js';

export interface JsonLimits {
  /** Deepest nesting of objects and arrays (the body itself is depth 1). */
  maxDepth: number;
  /** Most items in any one array. */
  maxArrayItems: number;
}

export const tooDeep = (limit: number): GraphError =>
  new GraphError(400, 'BadRequest', `The request body nests objects and arrays deeper than ${limit} levels.`, 'body');

export const tooManyItems = (limit: number): GraphError =>
  new GraphError(400, 'BadRequest', `An array in the request body has more than ${limit} items.`, 'body');

const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The first limit `text` breaks, or null. Malformed JSON is left to the parser (this only counts brackets). */
export function checkJsonLimits(text: string, limits: JsonLimits): GraphError | null {
  // Per open bracket: -1 for an object, else the number of commas seen so far in that array.
  const stack: number[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    switch (c) {
      case QUOTE:
        inString = true;
        break;
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        stack.push(c === OPEN_ARRAY ? 0 : -1);
        if (stack.length > limits.maxDepth) return tooDeep(limits.maxDepth);
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        stack.pop();
        break;
      case COMMA: {
        const top = stack.length - 1;
        // n commas separate n + 1 items.
        if (top >= 0 && stack[top]! >= 0 && ++stack[top]! >= limits.maxArrayItems)
          return tooManyItems(limits.maxArrayItems);
        break;
      }
    }
  }
  return null;
}
