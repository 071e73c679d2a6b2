// The common module: what both the Node side and the k6 side need.
// No Node APIs, no DOM, no `URL` global (k6 has none).
export * from './results-record.js';
export * from './cache-status.js';
export * from './size-category.js';
export * from './media-type.js';
export * from './derivatives.js';
export * from './image-variants.js';
export * from './url.js';
export * from './duration.js';
export * from './redact.js';
