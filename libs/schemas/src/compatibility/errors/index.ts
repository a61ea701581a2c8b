export { InvalidContractFileError } from './invalid-contract-file-error';
