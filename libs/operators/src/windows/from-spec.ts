import type { WindowSpec } from '../pipeline/types';
import { session } from './session';
import { sliding } from './sliding';
import { tumbling } from './tumbling';
import type { WindowAssigner } from './window';

/** The assigner a pipeline's `window` describes. */
export function windowAssigner(spec: WindowSpec): WindowAssigner {
  switch (spec.type) {
    case 'tumbling':
      return tumbling(spec.size, spec.offset);
    case 'sliding':
      return sliding(spec.size, spec.slide, spec.offset);
    case 'session':
      return session(spec.gap);
  }
}
