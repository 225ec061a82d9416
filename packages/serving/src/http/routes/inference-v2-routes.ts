import { MlsdError, LIBRARY_VERSION } from '@mlsd/data';
import type { FastifyInstance } from 'fastify';
import { withDeadline } from '../../resilience/deadline.js';
import type { ServedModel } from '../../scoring/ports.js';
import { inferRequestSchema, inferRows, parseBody } from '../request-schemas.js';
import type { ServiceContext } from '../service-context.js';

interface ModelParams {
  readonly name: string;
  readonly version?: string;
}

/**
 * The Open Inference Protocol (KServe/Triton/Seldon "v2") over HTTP: server metadata and health, model metadata and
 * readiness, and inference on [N, F] feature rows (the model's input features, in the order its metadata lists)
 * returning P(fraud) per row, for the champion or a given registry version. Errors are `{ "error": "..." }`.
 * Server readiness is 200 whenever the service answers (the fallback covers a missing model or store), with
 * `degraded` and `issues` in the body, and 503 with `ready: false` when the champion's pipeline needs a field the
 * service's request schema lacks (`issues` names it: `request-schema: missing field "x"`); model readiness is 200
 * only when that model is loaded, else the error's status from the one table (503 `UNAVAILABLE` without a
 * champion, 404 for an unknown model or version).
 */
export function registerInferenceV2Routes(app: FastifyInstance, context: ServiceContext): void {
  const { scorer, options } = context;

  app.get('/v2', async () => ({ name: 'mlsd-serving', version: LIBRARY_VERSION, extensions: [] }));

  app.get('/v2/health/live', async () => ({ live: true }));

  app.get('/v2/health/ready', async (_request, reply) => {
    let storeReachable = true;
    try {
      await withDeadline(options.features.ping(), options.readinessTimeoutMs, 'The feature store ping');
    } catch {
      storeReachable = false;
    }
    const status = scorer.status();
    const issues = storeReachable ? status.issues : [...status.issues, 'store-unreachable'];
    if (!status.ready) reply.code(503);
    return { ready: status.ready, degraded: issues.length > 0, issues, storeReachable, ...without(status, ['ready', 'issues', 'degraded']) };
  });

  const resolve = async (params: ModelParams): Promise<ServedModel> => {
    if (params.name !== options.modelName) {
      throw new MlsdError('NOT_FOUND', `Model '${params.name}' is not served here; this service serves '${options.modelName}'.`, {
        location: { field: 'name' },
      });
    }
    return scorer.resolveVersion(parseVersion(params.version));
  };

  const metadata = async (params: ModelParams) => {
    const model = await resolve(params);
    const names = model.classifier.featureNames;
    return {
      name: model.name,
      versions: [String(model.version)],
      platform: `mlsd-${model.classifier.kind}`,
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, names.length] }],
      outputs: [{ name: 'probability', datatype: 'FP64', shape: [-1, 1] }],
      parameters: { feature_names: names },
    };
  };
  app.get<{ Params: ModelParams }>('/v2/models/:name', async (request) => metadata(request.params));
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version', async (request) => metadata(request.params));

  const ready = async (params: ModelParams) => {
    const model = await resolve(params);
    return { name: model.name, version: String(model.version), ready: true };
  };
  app.get<{ Params: ModelParams }>('/v2/models/:name/ready', async (request) => ready(request.params));
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version/ready', async (request) => ready(request.params));

  const infer = async (params: ModelParams, body: unknown) => {
    if (params.name !== options.modelName) await resolve(params);
    const request = parseBody(inferRequestSchema, body, 'inference request');
    const tensor = request.inputs[0]!;
    const { data, rows, cols } = inferRows(tensor, options.maxInferValues);
    const names = Array.from({ length: cols }, (_, c) => `f${c}`);
    const { probabilities, model } = await scorer.predictRows({ data, rows, cols, featureNames: names }, parseVersion(params.version));
    return {
      model_name: model.name,
      model_version: String(model.version),
      ...(request.id === undefined ? {} : { id: request.id }),
      outputs: [{ name: 'probability', datatype: 'FP64', shape: [rows, 1], data: Array.from(probabilities) }],
    };
  };
  app.post<{ Params: ModelParams }>('/v2/models/:name/infer', async (request) => infer(request.params, request.body));
  app.post<{ Params: ModelParams }>('/v2/models/:name/versions/:version/infer', async (request) => infer(request.params, request.body));
}

function parseVersion(version: string | undefined): number | undefined {
  if (version === undefined) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(version)) {
    throw new MlsdError('INVALID_INPUT', `Model version must be a positive whole number, got '${version}'.`, { location: { field: 'version' } });
  }
  return Number(version);
}

function without<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Omit<T, K> {
  const copy: Partial<T> = { ...value };
  for (const key of keys) delete copy[key];
  return copy as Omit<T, K>;
}
