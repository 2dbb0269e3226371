export { GatewayMetrics } from './metrics';
export { observePipeline } from './observe';
export { QueueDepth } from './queue-depth';
