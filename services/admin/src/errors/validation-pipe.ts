import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/**
 * Request bodies and queries validated from their DTOs: unknown properties are refused, values converted to
 * the declared types, and the first problem answers 400 with the field's path and what was expected.
 */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors: ValidationError[]) => {
      const [field, problem] = firstProblem(errors[0]!, '');
      return new BadRequestException({ message: `${field}: ${problem}`, field });
    },
  });
}

function firstProblem(error: ValidationError, parent: string): [string, string] {
  const path = parent ? `${parent}.${error.property}` : error.property;
  const constraint = Object.values(error.constraints ?? {})[0];
  if (constraint) return [path, constraint];
  const child = error.children?.[0];
  return child ? firstProblem(child, path) : [path, 'is invalid'];
}
