export { SMOKE_TOPIC, runSmokeFlow, type SmokeReport } from './smoke-flow';
