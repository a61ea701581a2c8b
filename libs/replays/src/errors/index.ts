export { CutoverRefusedError } from './cutover-refused-error';
export { ReplayNotFoundError } from './replay-not-found-error';
export { ReplayRequestError } from './replay-request-error';
