import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { RegistryTimeoutError } from './errors';

/**
 * One TCP connection per registry request, never a kept-alive one. Apicurio 3.3 (Quarkus / Vert.x) now and then
 * leaves the next request on a connection unanswered after its empty 404 for a path no route serves (a
 * registry URL with a wrong path): measured against the native stack, 6 hung requests in 4 400 on one
 * kept-alive connection (Node's default since 20, for fetch and http alike), none in 3 800 with a connection
 * each; asking for uncompressed answers, tried first, did not change it. Registry traffic is a request per
 * schema id (cached) and per health check, so a connection each costs nothing that matters.
 */
export const registryHttpAgent = new HttpAgent({ keepAlive: false });
export const registryHttpsAgent = new HttpsAgent({ keepAlive: false });

/** The agent for a registry URL's protocol. */
export function registryAgentFor(url: string): HttpAgent {
  return new URL(url).protocol === 'https:' ? registryHttpsAgent : registryHttpAgent;
}

/**
 * Headers for every HTTP request to the registry: its answers are small JSON, nothing worth compressing, and a
 * gzip-encoded empty answer is one thing less that can go wrong between client and server.
 */
export const REGISTRY_REQUEST_HEADERS: Readonly<Record<string, string>> = { 'accept-encoding': 'identity' };

export interface RegistryHttpResponse {
  status: number;
  text: string;
}

/**
 * One HTTP request to the registry on a connection of its own; the whole exchange (connect, answer, body) is
 * bounded by `timeoutMs`, so a registry that accepts the connection and never answers cannot freeze a caller.
 */
export function registryRequest(
  url: string,
  options: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs: number },
): Promise<RegistryHttpResponse> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      {
        method: options.method ?? 'GET',
        agent: registryAgentFor(url),
        headers: {
          ...REGISTRY_REQUEST_HEADERS,
          ...options.headers,
          ...(options.body === undefined ? {} : { 'content-length': Buffer.byteLength(options.body) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', fail);
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new RegistryTimeoutError(url, options.timeoutMs));
    }, options.timeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      reject(error);
    }
    request.on('error', fail);
    request.end(options.body);
  });
}
