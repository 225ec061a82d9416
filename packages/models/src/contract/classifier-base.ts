import { MlsdError } from '@mlsd/data';

/**
 * What every mlsd classifier keeps the same way: its validated hyper-parameters (frozen), its learned state
 * (undefined until `fit` or its loader sets it), `isFitted`, `featureNames`, and {@link fitted}, which returns
 * the state or throws `NOT_FITTED` naming the method called too early. A model class extends it, sets `kind`,
 * and passes its validated options to `super`.
 */
export abstract class ClassifierBase<Params extends object, State extends { readonly featureNames: readonly string[] }> {
  /** The model kind, as written in its artifact. */
  abstract readonly kind: string;
  /** The hyper-parameters, with defaults filled in. */
  readonly params: Readonly<Params>;
  /** What `fit` learned or the loader restored. */
  protected state: State | undefined;

  protected constructor(params: Params) {
    this.params = Object.freeze(params);
  }

  /** True once `fit` has completed (or the model was loaded from an artifact). */
  get isFitted(): boolean {
    return this.state !== undefined;
  }

  /** The feature names seen in `fit`; empty before. */
  get featureNames(): readonly string[] {
    return this.state?.featureNames ?? [];
  }

  /** The learned state; throws `NOT_FITTED` naming `method` when there is none yet. */
  protected fitted(method: string): State {
    if (this.state === undefined) {
      throw new MlsdError('NOT_FITTED', `${this.kind}.${method}: the model is not fitted; call fit(X, y) or load an artifact first.`);
    }
    return this.state;
  }
}
