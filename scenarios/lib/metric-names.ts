// Metric names live in common/ (the Node side's merge, compare and reports read them too).
export { METRIC, VIDEO_METRIC, TAG_DURATION_SOURCE } from '../../common/loadtest-report/metric-names.js';
