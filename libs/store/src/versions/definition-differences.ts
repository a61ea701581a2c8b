/**
 * The paths where two JSON documents differ, each with both values, e.g.
 * `window.size: 60000 -> 120000`. Used to say why a changed definition cannot run under the same version.
 */
export function definitionDifferences(recorded: unknown, requested: unknown, path = ''): string[] {
  if (isObject(recorded) && isObject(requested)) {
    const names = [...new Set([...Object.keys(recorded), ...Object.keys(requested)])].sort();
    return names.flatMap((name) =>
      definitionDifferences(recorded[name], requested[name], path ? `${path}.${name}` : name),
    );
  }
  if (Array.isArray(recorded) && Array.isArray(requested)) {
    const length = Math.max(recorded.length, requested.length);
    return Array.from({ length }, (_, i) =>
      definitionDifferences(recorded[i], requested[i], `${path}[${i}]`),
    ).flat();
  }
  return JSON.stringify(recorded) === JSON.stringify(requested)
    ? []
    : [`${path || '(definition)'}: ${show(recorded)} -> ${show(requested)}`];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}
