"""The Python peers of python-peers.bench.ts: scikit-learn and XGBoost fitted on the very rows mlsd trains on.

    /usr/bin/python3 python-peers.py DIR

DIR holds what the benchmark wrote: meta.json (rows, columns, seeds, the mlsd random forest's defaults),
Xtrain.f64 and Xtest.f64 (row-major little-endian float64), ytrain.u8. Every model is fitted on one thread; for
each model and seed the test-week scores (P(fraud)) go to DIR/scores-<model>-<seed>.f64 and the fit's wall and CPU
seconds to the one JSON document printed on stdout. The metrics are computed by the benchmark, with the same code
as mlsd's side. Without scikit-learn, XGBoost or NumPy it prints how to install them and exits 3 (a skip, not a
failure). Debian: apt-get install python3-sklearn python3-xgboost python3-pandas
"""
import os

# One thread everywhere, set before NumPy/OpenMP load.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import json
import sys
import time

INSTALL = "apt-get install python3-sklearn python3-xgboost python3-pandas"

try:
    import numpy as np
    import sklearn
    import xgboost
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
except ImportError as error:  # a skip: the benchmark reports it and moves on
    print(json.dumps({"skipped": f"{error}; install with: {INSTALL}"}))
    sys.exit(3)


def timed_fit(model, X, y):
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(X, y)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(folder):
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    cols = meta["cols"]
    Xtrain = np.fromfile(os.path.join(folder, "Xtrain.f64"), dtype="<f8").reshape(meta["trainRows"], cols)
    Xtest = np.fromfile(os.path.join(folder, "Xtest.f64"), dtype="<f8").reshape(meta["testRows"], cols)
    ytrain = np.fromfile(os.path.join(folder, "ytrain.u8"), dtype=np.uint8).astype(np.int64)
    rf = meta["mlsdForestDefaults"]
    # mlsd's maxFeatures: 'sqrt', 'log2', 'all' or a count (older benches sent none: 'sqrt').
    max_features = rf.get("maxFeatures", "sqrt")
    if max_features == "all":
        max_features = None

    def xgb(method, seed):
        return xgboost.XGBClassifier(
            n_estimators=100, max_depth=6, learning_rate=0.1, tree_method=method, n_jobs=1, nthread=1, random_state=seed
        )

    # name -> (make(seed), randomized?)
    models = {
        "sklearn LogisticRegression (lbfgs, C=1)": (lambda s: LogisticRegression(solver="lbfgs", C=1.0), False),
        "sklearn RandomForest (100 trees, unlimited)": (
            lambda s: RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=s),
            True,
        ),
        f"sklearn RandomForest (mlsd defaults: {rf['nTrees']} trees, depth <= {rf['maxDepth'] or 'unlimited'}, max_features {max_features})": (
            lambda s: RandomForestClassifier(
                n_estimators=rf["nTrees"], max_depth=rf["maxDepth"] or None, max_features=max_features, n_jobs=1, random_state=s
            ),
            True,
        ),
        "sklearn HistGradientBoosting (defaults)": (lambda s: HistGradientBoostingClassifier(random_state=s), True),
        "XGBoost hist (100 rounds, depth 6, eta 0.1)": (lambda s: xgb("hist", s), True),
        "XGBoost exact (100 rounds, depth 6, eta 0.1)": (lambda s: xgb("exact", s), True),
    }
    only = os.environ.get("MLSD_PEERS_ONLY")
    out = {
        "versions": {"python": sys.version.split()[0], "sklearn": sklearn.__version__, "xgboost": xgboost.__version__, "numpy": np.__version__},
        "models": [],
    }
    # Warm-up (imports, first-call costs) on a small sample, untimed.
    LogisticRegression().fit(Xtrain[:2000], ytrain[:2000])
    for index, (name, (make, randomized)) in enumerate(models.items()):
        if only is not None and only not in name:
            continue
        runs = []
        # Every model is fitted once per seed, deterministic ones too (the same fit three times): their spread is
        # the timing noise, and the first fit's first-call costs show against the later ones.
        for seed in meta["seeds"]:
            model = make(seed)
            wall, cpu = timed_fit(model, Xtrain, ytrain)
            scores = model.predict_proba(Xtest)[:, 1].astype("<f8")
            path = os.path.join(folder, f"scores-{index}-{seed}.f64")
            scores.tofile(path)
            runs.append({"seed": seed, "fitSeconds": wall, "fitCpuSeconds": cpu, "scores": path})
            print(f"{name} seed {seed}: fit {wall:.2f} s", file=sys.stderr)
        out["models"].append({"name": name, "randomized": randomized, "runs": runs})
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
