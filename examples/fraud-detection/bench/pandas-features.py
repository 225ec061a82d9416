"""The pandas peer of `fraud features`: reads the transactions CSV and computes the 15 Handbook features the way
the Fraud Detection Handbook's own code does (chapter 3.3: grouped time-based rolling windows; the terminal
counts and risks as the rolling (n + 7)-day window minus the rolling 7-day window). Prints one JSON line with the
rows and the seconds spent reading and computing. Used by whole-process.bench.ts; peak memory is measured outside.

usage: python3 pandas-features.py transactions.csv
"""
import json
import sys
import time

import numpy as np
import pandas as pd

started = time.perf_counter()
df = pd.read_csv(sys.argv[1], parse_dates=["TX_DATETIME"])
read_seconds = time.perf_counter() - started

started = time.perf_counter()
df["TX_DURING_WEEKEND"] = (df["TX_DATETIME"].dt.weekday >= 5).astype("int64")
df["TX_DURING_NIGHT"] = (df["TX_DATETIME"].dt.hour <= 6).astype("int64")

# Customer windows (t - n days, t], current transaction included.
by_customer = df.sort_values(["CUSTOMER_ID", "TX_DATETIME", "TRANSACTION_ID"], kind="stable")
groups = by_customer.groupby("CUSTOMER_ID", sort=False)
for days in (1, 7, 30):
    rolling = groups.rolling(f"{days}D", on="TX_DATETIME")["TX_AMOUNT"]
    count = rolling.count().to_numpy()
    total = rolling.sum().to_numpy()
    by_customer[f"CUSTOMER_ID_NB_TX_{days}DAY_WINDOW"] = count
    by_customer[f"CUSTOMER_ID_AVG_AMOUNT_{days}DAY_WINDOW"] = total / count

# Terminal delayed windows (t - (n + 7) days, t - 7 days].
by_terminal = by_customer.sort_values(["TERMINAL_ID", "TX_DATETIME", "TRANSACTION_ID"], kind="stable")
groups = by_terminal.groupby("TERMINAL_ID", sort=False)
delay = groups.rolling("7D", on="TX_DATETIME")["TX_FRAUD"]
delay_count = delay.count().to_numpy()
delay_frauds = delay.sum().to_numpy()
for days in (1, 7, 30):
    rolling = groups.rolling(f"{days + 7}D", on="TX_DATETIME")["TX_FRAUD"]
    count = rolling.count().to_numpy() - delay_count
    frauds = rolling.sum().to_numpy() - delay_frauds
    by_terminal[f"TERMINAL_ID_NB_TX_{days}DAY_WINDOW"] = count
    risk = np.divide(frauds, count, out=np.zeros(len(count)), where=count > 0)
    by_terminal[f"TERMINAL_ID_RISK_{days}DAY_WINDOW"] = risk

features = by_terminal.sort_values("TRANSACTION_ID")
feature_seconds = time.perf_counter() - started
print(json.dumps({"rows": len(features), "columns": len(features.columns), "readSeconds": read_seconds, "featureSeconds": feature_seconds}))
