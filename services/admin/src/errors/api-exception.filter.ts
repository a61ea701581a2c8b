import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Logger, serializeError } from '@lk/common';
import { ComparisonNotFoundError, ComparisonRequestError } from '@lk/comparisons';
import { CutoverRefusedError, ReplayNotFoundError, ReplayRequestError } from '@lk/replays';

/** What every error response holds: the status, its name, what is wrong, and the field when one is to blame. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  field?: string;
}

/**
 * One answer per error class: a request that cannot be carried out → 400 naming the field, an unknown id → 404,
 * a state conflict → 409, a body too large → 413, bad JSON → 400; anything else is ours → 500, logged as an
 * error with the request's method and route (never its headers: the token).
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('admin');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    // an exception that carries a whole document of its own (the /health report with its 503) goes out as is
    if (exception instanceof HttpException) {
      const document = exception.getResponse();
      if (typeof document === 'object' && document !== null && !('message' in document)) {
        response.status(exception.getStatus()).json(document);
        return;
      }
    }
    const body = this.bodyOf(exception);
    if (body.statusCode >= 500)
      this.logger.error('request failed', {
        method: request.method,
        path: request.path,
        error: serializeError(exception as Error),
      });
    response.status(body.statusCode).json(body);
  }

  private bodyOf(exception: unknown): ErrorBody {
    if (exception instanceof ReplayRequestError || exception instanceof ComparisonRequestError)
      return error(HttpStatus.BAD_REQUEST, exception.message, exception.field);
    if (exception instanceof ReplayNotFoundError || exception instanceof ComparisonNotFoundError)
      return error(HttpStatus.NOT_FOUND, exception.message);
    if (exception instanceof CutoverRefusedError) return error(HttpStatus.CONFLICT, exception.message);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : Array.isArray((response as { message?: unknown }).message)
            ? ((response as { message: string[] }).message[0] ?? exception.message)
            : String((response as { message?: unknown }).message ?? exception.message);
      const field = typeof response === 'object' ? (response as { field?: unknown }).field : undefined;
      return error(status, message, typeof field === 'string' ? field : undefined);
    }
    // body-parser's errors (malformed JSON, too large, bad charset) carry their status
    const parserStatus = (exception as { status?: unknown; type?: unknown }).status;
    if (typeof parserStatus === 'number' && parserStatus >= 400 && parserStatus < 500)
      return error(
        parserStatus,
        parserStatus === 413
          ? 'request body too large'
          : `malformed request body: ${(exception as Error).message}`,
      );
    return error(HttpStatus.INTERNAL_SERVER_ERROR, 'internal error');
  }
}

function error(statusCode: number, message: string, field?: string): ErrorBody {
  const name = (HttpStatus[statusCode] ?? 'ERROR')
    .toLowerCase()
    .split('_')
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(' ');
  return { statusCode, error: name, message, ...(field !== undefined && { field }) };
}
