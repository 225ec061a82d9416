import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MlsdError, toMlsdError, LIBRARY_VERSION, validateOptions } from '@mlsd/data';
import type { Classifier, ModelArtifact } from '../contract/classifier.js';
import { checksumOf } from '../artifact/checksum.js';
import { loadClassifier } from '../load-classifier.js';
import { checkAlias, checkModelName, parseModelRef } from './model-ref.js';

/** What the model was trained on, for lineage: row count, a hash of the training data, the time period. */
export interface TrainingDataInfo {
  readonly rows: number;
  readonly hash: string;
  /** The training period, e.g. `{ start: '2018-07-25', end: '2018-08-01' }` (ISO dates or date-times). */
  readonly period: { readonly start: string; readonly end: string };
}

/** Options of {@link FileModelRegistry.register}; everything is optional and stored as given. */
export interface RegisterOptions {
  /** The fitted feature pipeline as plain JSON (opaque to the registry), saved beside the model. */
  readonly featurePipeline?: unknown;
  /** Offline metrics, e.g. `{ rocAuc: 0.87, averagePrecision: 0.61 }`. */
  readonly metrics?: Readonly<Record<string, number>>;
  readonly trainingData?: TrainingDataInfo;
  readonly notes?: string;
  /** The monitoring reference profile as plain JSON (opaque to the registry), saved beside the model. */
  readonly profile?: unknown;
}

/** One registered version, as stored in its manifest, plus the aliases pointing at it now. */
export interface RegistryEntry {
  readonly name: string;
  readonly version: number;
  readonly kind: string;
  /** ISO date-time of registration. */
  readonly createdAt: string;
  /** The mlsd version that registered it. */
  readonly libraryVersion: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly trainingData: TrainingDataInfo | null;
  readonly notes: string;
  /** The files of the version directory and the checksum (sha256 of canonical JSON) of each. */
  readonly files: Readonly<Record<string, string>>;
  /** Aliases currently pointing at this version, sorted. */
  readonly aliases: readonly string[];
}

/** What {@link FileModelRegistry.load} returns: the model, its entry, and what was saved beside it. */
export interface LoadedModel {
  readonly model: Classifier;
  readonly entry: RegistryEntry;
  /** The feature pipeline JSON given at registration, or `null`. */
  readonly featurePipeline: unknown;
  /** The reference profile JSON given at registration, or `null`. */
  readonly profile: unknown;
}

/** Side effects of the registry, replaceable in tests. */
export interface FileModelRegistryOptions {
  /** The clock for `createdAt` (default: the system clock). */
  readonly now?: () => Date;
}

const MANIFEST = 'manifest.json';
const MODEL = 'model.json';
const PIPELINE = 'feature-pipeline.json';
const PROFILE = 'profile.json';
const LATEST = 'latest';

const REGISTER_DEFAULTS: RegisterOptions = {
  featurePipeline: undefined,
  metrics: undefined,
  trainingData: undefined,
  notes: undefined,
  profile: undefined,
};

const REGISTER_RULES = {
  metrics: (v: unknown): string | undefined =>
    isPlainObject(v) && Object.values(v).every((m) => typeof m === 'number' && Number.isFinite(m))
      ? undefined
      : 'an object of finite numbers, e.g. { "rocAuc": 0.87 }',
  notes: (v: unknown): string | undefined => (typeof v === 'string' ? undefined : 'a string'),
  trainingData: (v: unknown): string | undefined => {
    const ok =
      isPlainObject(v) &&
      typeof v['rows'] === 'number' &&
      Number.isInteger(v['rows']) &&
      v['rows'] >= 0 &&
      typeof v['hash'] === 'string' &&
      isPlainObject(v['period']) &&
      typeof v['period']['start'] === 'string' &&
      typeof v['period']['end'] === 'string';
    return ok ? undefined : '{ rows: whole number, hash: string, period: { start: string, end: string } }';
  },
};

function isPlainObject(v: unknown): v is Record<string, Record<string, unknown>> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

interface Manifest extends Omit<RegistryEntry, 'aliases'> {
  /** Checksum of the manifest without this field: an edited manifest is caught too. */
  readonly manifestChecksum: string;
}

/**
 * The embedded model registry: one directory per model name under `rootDir`, one sub-directory per version
 * holding `model.json` (the artifact), optional `feature-pipeline.json` and `profile.json`, and a
 * `manifest.json` with the metadata and a checksum per file (sha256 of canonical JSON).
 *
 * ```
 * rootDir/fraud/versions/3/{manifest,model,feature-pipeline,profile}.json
 * rootDir/fraud/aliases/champion.json   → { "version": 3 }
 * ```
 *
 * Writes are atomic: a version is written to a temporary directory and renamed to the next free number (so a
 * half-written version is never visible, and two writers never get the same number); an alias file is written
 * to a temporary file and renamed over the old one. Within one process, registrations and alias moves on one
 * model are also serialised. Loading verifies every checksum: a corrupt or edited file is refused with
 * `CORRUPT_ARTIFACT` naming the file.
 */
export class FileModelRegistry {
  private readonly now: () => Date;
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    readonly rootDir: string,
    options: FileModelRegistryOptions = {},
  ) {
    const checked = validateOptions('FileModelRegistry', options, { now: undefined } as FileModelRegistryOptions, {
      now: (v) => (typeof v === 'function' ? undefined : 'a function returning a Date'),
    });
    this.now = checked.now ?? (() => new Date());
  }

  /**
   * Saves a fitted `model` as the next version of `name` (1 for the first) and resolves to its entry.
   * Throws `NOT_FITTED` for an unfitted model, `INVALID_OPTION` for unknown options, `IO_ERROR` when writing fails.
   */
  async register(name: string, model: Classifier, options: RegisterOptions = {}): Promise<RegistryEntry> {
    checkModelName(name);
    const given = validateOptions('FileModelRegistry.register', options, REGISTER_DEFAULTS, REGISTER_RULES);
    const artifact = model.toJSON();
    const files: Record<string, unknown> = { [MODEL]: artifact };
    if (given.featurePipeline !== undefined) files[PIPELINE] = given.featurePipeline;
    if (given.profile !== undefined) files[PROFILE] = given.profile;
    const checksums: Record<string, string> = {};
    for (const [file, content] of Object.entries(files)) checksums[file] = checksumOf(content);

    return this.serialise(name, async () => {
      const versionsDir = join(this.rootDir, name, 'versions');
      const tmp = join(versionsDir, `.tmp-${randomBytes(6).toString('hex')}`);
      try {
        await mkdir(tmp, { recursive: true });
        let version = (await this.versionNumbers(name)).at(-1) ?? 0;
        for (;;) {
          version++;
          const body: Omit<Manifest, 'manifestChecksum'> = {
            name,
            version,
            kind: artifact.kind,
            createdAt: this.now().toISOString(),
            libraryVersion: LIBRARY_VERSION,
            metrics: { ...(given.metrics ?? {}) },
            trainingData: given.trainingData ?? null,
            notes: given.notes ?? '',
            files: checksums,
          };
          const manifest: Manifest = { ...body, manifestChecksum: checksumOf(body) };
          for (const [file, content] of Object.entries({ ...files, [MANIFEST]: manifest })) {
            await writeFile(join(tmp, file), `${JSON.stringify(content, null, 2)}\n`);
          }
          try {
            await rename(tmp, join(versionsDir, String(version)));
            return { ...body, aliases: [] };
          } catch (error) {
            // Another writer took this number first: try the next one.
            if (!isErrno(error, 'EEXIST', 'ENOTEMPTY')) throw error;
          }
        }
      } catch (error) {
        await rm(tmp, { recursive: true, force: true });
        throw ioError(error, `registering a version of model "${name}" under ${versionsDir}`);
      }
    });
  }

  /**
   * Points `alias` (e.g. `champion`, `challenger`) of model `name` at `version`, atomically replacing where it
   * pointed before. Throws `NOT_FOUND` when the version does not exist; `latest` is reserved.
   */
  async setAlias(name: string, alias: string, version: number): Promise<void> {
    checkModelName(name);
    checkAlias(alias);
    if (alias === LATEST) {
      throw new MlsdError('INVALID_INPUT', `The alias "${LATEST}" always means the newest version and cannot be set; pick another name.`, {
        location: { field: 'alias' },
      });
    }
    await this.serialise(name, async () => {
      const versions = await this.versionNumbers(name);
      if (!versions.includes(version)) {
        throw new MlsdError('NOT_FOUND', `Model "${name}" has no version ${version} (versions: ${versions.join(', ') || 'none'}); register it first.`, {
          location: { field: 'version' },
        });
      }
      const dir = join(this.rootDir, name, 'aliases');
      const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(tmp, `${JSON.stringify({ version, updatedAt: this.now().toISOString() })}\n`);
        await rename(tmp, join(dir, `${alias}.json`));
      } catch (error) {
        await rm(tmp, { force: true });
        throw ioError(error, `setting alias ${name}@${alias}`);
      }
    });
  }

  /** The aliases of model `name` and the version each points at (without the implicit `latest`). */
  async aliases(name: string): Promise<Record<string, number>> {
    checkModelName(name);
    const dir = join(this.rootDir, name, 'aliases');
    const out: Record<string, number> = {};
    let files: string[];
    try {
      files = await readdir(dir);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return out;
      throw ioError(error, `reading ${dir}`);
    }
    for (const file of files.sort()) {
      if (!file.endsWith('.json') || file.startsWith('.')) continue;
      const path = join(dir, file);
      const content = (await readJson(path)) as { version?: unknown };
      if (typeof content.version !== 'number' || !Number.isInteger(content.version)) {
        throw new MlsdError('CORRUPT_ARTIFACT', `Alias file ${path} has no whole-number "version"; set the alias again.`, {
          location: { file: path },
        });
      }
      out[file.slice(0, -'.json'.length)] = content.version;
    }
    return out;
  }

  /**
   * Resolves `ref` (`name@alias`, `name@latest` or `name/version`) to a version number. Throws `NOT_FOUND`
   * naming what exists when the model, alias or version does not.
   */
  async resolve(ref: string): Promise<{ name: string; version: number }> {
    const parsed = parseModelRef(ref);
    const versions = await this.versionNumbers(parsed.name);
    if (versions.length === 0) {
      const known = (await this.names()).filter((name) => name !== parsed.name);
      const hint = known.length === 0 ? 'it holds no other model; register one first' : `models: ${known.join(', ')}`;
      throw new MlsdError('NOT_FOUND', `No model "${parsed.name}" in the registry at ${this.rootDir} (${hint}).`, {
        location: { file: join(this.rootDir, parsed.name) },
      });
    }
    if (parsed.version !== undefined) {
      if (!versions.includes(parsed.version)) {
        throw new MlsdError('NOT_FOUND', `Model "${parsed.name}" has no version ${parsed.version} (versions: ${versions.join(', ')}).`, {
          location: { field: 'version' },
        });
      }
      return { name: parsed.name, version: parsed.version };
    }
    if (parsed.alias === LATEST) return { name: parsed.name, version: versions.at(-1)! };
    const aliases = await this.aliases(parsed.name);
    const version = aliases[parsed.alias];
    if (version === undefined) {
      const known = [...Object.keys(aliases), LATEST].join(', ');
      throw new MlsdError('NOT_FOUND', `Model "${parsed.name}" has no alias "${parsed.alias}" (aliases: ${known}); set it with setAlias().`, {
        location: { field: 'alias' },
      });
    }
    return { name: parsed.name, version };
  }

  /**
   * Loads the version `ref` points at, after verifying the checksum of every file: resolves to the model, its
   * entry, and the feature pipeline and profile saved with it. A corrupt or edited file is refused with
   * `CORRUPT_ARTIFACT` naming it.
   */
  async load(ref: string): Promise<LoadedModel> {
    const { name, version } = await this.resolve(ref);
    const dir = join(this.rootDir, name, 'versions', String(version));
    const manifest = await this.readManifest(name, version);
    const contents: Record<string, unknown> = {};
    for (const [file, checksum] of Object.entries(manifest.files)) {
      const path = join(dir, file);
      const content = await readJson(path);
      if (checksumOf(content) !== checksum) {
        throw new MlsdError(
          'CORRUPT_ARTIFACT',
          `${path} does not match its checksum in ${MANIFEST}: the file was corrupted or edited. Restore it or register the model again.`,
          { location: { file: path } },
        );
      }
      contents[file] = content;
    }
    let model: Classifier;
    try {
      model = loadClassifier(contents[MODEL] as ModelArtifact);
    } catch (error) {
      const cause = toMlsdError(error, 'loading the model');
      throw new MlsdError(cause.code, `${join(dir, MODEL)}: ${cause.message}`, {
        cause,
        location: { ...cause.location, file: join(dir, MODEL) },
      });
    }
    const aliases = await this.aliases(name);
    return {
      model,
      entry: toEntry(manifest, aliases),
      featurePipeline: contents[PIPELINE] ?? null,
      profile: contents[PROFILE] ?? null,
    };
  }

  /** Every version of model `name`, oldest first, with metrics and current aliases (empty if none). */
  async list(name: string): Promise<RegistryEntry[]> {
    checkModelName(name);
    const aliases = await this.aliases(name);
    const entries: RegistryEntry[] = [];
    for (const version of await this.versionNumbers(name)) entries.push(toEntry(await this.readManifest(name, version), aliases));
    return entries;
  }

  /** The model names in the registry, sorted. */
  async names(): Promise<string[]> {
    try {
      const entries = await readdir(this.rootDir, { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort();
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return [];
      throw ioError(error, `reading ${this.rootDir}`);
    }
  }

  private async versionNumbers(name: string): Promise<number[]> {
    const dir = join(this.rootDir, name, 'versions');
    try {
      const files = await readdir(dir);
      return files
        .filter((f) => /^[1-9][0-9]*$/.test(f))
        .map(Number)
        .sort((a, b) => a - b);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return [];
      throw ioError(error, `reading ${dir}`);
    }
  }

  private async readManifest(name: string, version: number): Promise<Manifest> {
    const path = join(this.rootDir, name, 'versions', String(version), MANIFEST);
    const manifest = (await readJson(path)) as Partial<Manifest>;
    const { manifestChecksum, ...body } = manifest;
    if (
      typeof manifestChecksum !== 'string' ||
      checksumOf(body) !== manifestChecksum ||
      manifest.name !== name ||
      manifest.version !== version ||
      manifest.files === null ||
      typeof manifest.files !== 'object' ||
      typeof manifest.files[MODEL] !== 'string'
    ) {
      throw new MlsdError(
        'CORRUPT_ARTIFACT',
        `${path} is corrupt or was edited (its checksum or name/version do not match). Restore it or register the model again.`,
        { location: { file: path } },
      );
    }
    return manifest as Manifest;
  }

  /** Runs `task` after every earlier task on the same model name in this registry (an in-process lock). */
  private serialise<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(name) ?? Promise.resolve();
    const run = previous.then(task, task);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(name, settled);
    void settled.then(() => {
      if (this.queues.get(name) === settled) this.queues.delete(name);
    });
    return run;
  }
}

function toEntry(manifest: Manifest, aliases: Record<string, number>): RegistryEntry {
  const { manifestChecksum: _checksum, ...body } = manifest;
  const pointing = Object.keys(aliases)
    .filter((alias) => aliases[alias] === manifest.version)
    .sort();
  return { ...body, aliases: pointing };
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) {
      throw new MlsdError('CORRUPT_ARTIFACT', `${path} is missing from the registry; restore it or register the model again.`, {
        cause: error,
        location: { file: path },
      });
    }
    throw ioError(error, `reading ${path}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MlsdError('CORRUPT_ARTIFACT', `${path} is not valid JSON (${(error as Error).message}); restore it or register the model again.`, {
      cause: error,
      location: { file: path },
    });
  }
}

function isErrno(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

function ioError(error: unknown, doing: string): MlsdError {
  if (error instanceof MlsdError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new MlsdError('IO_ERROR', `Failed ${doing}: ${detail}. Check that the directory exists and is writable.`, { cause: error });
}
