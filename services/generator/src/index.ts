export * from './generator';
export * from './producer';
export { parseGenerateArgs, type GenerateCommand } from './cli/generate-args';
