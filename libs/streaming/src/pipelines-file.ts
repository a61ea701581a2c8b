import { readFileSync } from 'node:fs';
import { ConfigError } from '@lk/common';
import { parsePipelines, type Pipeline } from '@lk/operators';

/**
 * The pipelines file, read and validated: an unreadable file or a bad definition is a ConfigError naming
 * the variable that pointed at it and, for a definition, the pipeline and the field.
 */
export function readPipelinesFile(file: string, variable = 'PIPELINES_FILE'): Pipeline[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(variable, `cannot read "${file}": ${(error as Error).message}`);
  }
  let pipelines: Pipeline[];
  try {
    pipelines = parsePipelines(text);
  } catch (error) {
    throw new ConfigError(variable, `${file}: ${(error as Error).message}`);
  }
  if (pipelines.length === 0) throw new ConfigError(variable, `${file} defines no pipeline`);
  return pipelines;
}
