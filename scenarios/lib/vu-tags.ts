// The derivative and size category as tags of the VU (exec.vu.metrics.tags),
// set before each request, instead of a tags object handed to every request,
// check and metric: k6 converts a tags object from JavaScript on each call
// (about 3-5 µs each, five calls a request on a 2-core machine), while a VU
// tag is set in well under a microsecond and applies to every sample the VU
// emits after it, k6's own included (http_req_*, checks, data_received,
// iterations). Two tags with few values each: the series stay few.
import exec from 'k6/execution';

/** Tag names, shared with the summary's submetrics. */
export const TAG_DERIVATIVE = 'derivative';
export const TAG_SIZE_CATEGORY = 'size_category';

type Tags = Record<string, number | string | boolean>;

// exec.vu builds a new object on every read (~15 µs): the tags object it
// holds is bound to this VU for its whole life, so read it once per VU.
let vuTags: Tags | undefined;

/**
 * Tags every sample this VU emits from now on with the record's derivative
 * and size category. Set on every request, not only on a change: k6 resets a
 * VU's tags when it activates the VU again (ramping down and up, a new
 * scenario), so a remembered "already set" could be stale.
 */
export function tagVu(derivative: string, sizeCategory: string): void {
  const tags = vuTags ?? (vuTags = exec.vu.metrics.tags);
  tags[TAG_DERIVATIVE] = derivative;
  tags[TAG_SIZE_CATEGORY] = sizeCategory;
}
