export { ComparisonNotFoundError } from './comparison-not-found-error';
export { ComparisonRequestError } from './comparison-request-error';
