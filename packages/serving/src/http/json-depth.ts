import { MlsdError } from '@mlsd/data';

/**
 * Throws `INVALID_INPUT` when the JSON text `text` nests arrays and objects deeper than `maxDepth`, before anything
 * parses it: a 1 MiB body of `[[[[…` would otherwise cost the parser and every recursive walk after it (prototype
 * poisoning scan, schema validation, tensor flattening) hundreds of milliseconds of event loop, or overflow the
 * stack. One pass over the characters, skipping strings (a bracket inside a string is text), no allocation.
 * Malformed JSON is left to the parser, which words its own 400.
 */
export function checkJsonDepth(text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > maxDepth) {
        throw new MlsdError(
          'INVALID_INPUT',
          `The JSON body nests arrays and objects deeper than ${maxDepth} levels (at character ${i}); requests need at most a few levels.`,
          { location: { field: 'body' } },
        );
      }
    } else if (c === 93 || c === 125) depth--;
  }
}
