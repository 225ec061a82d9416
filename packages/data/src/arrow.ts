/**
 * `@mlsd/data/arrow`: `ColumnTable` to and from `apache-arrow`'s `Table`, zero-copy where the layouts match. A
 * subpath of its own so that importing `@mlsd/data` does not load `apache-arrow` (about 0.13 s at every start).
 */
export { ARROW_TYPE_METADATA, fromArrow, toArrow } from './table/arrow.js';
