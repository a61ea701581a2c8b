export { runSmokeFlow, type SmokeReport } from './smoke-flow';
