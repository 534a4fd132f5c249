"""A writer process for the store's concurrency and crash tests (run as a script).

Usage::

    store_writer.py URL COMPOUND bulk N GO_FILE   # wait for GO_FILE, add N spots, print "done N"
    store_writer.py URL COMPOUND hang              # insert a spot inside an open transaction,
                                                   # print "in-transaction", then wait to be killed
    store_writer.py URL COMPOUND loop PHOTO        # add spots with a photo until killed,
                                                   # printing "ack ID" after each commit
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pipeline.core.spots import SpotCategory
from store import Resident, Store, StoreSettings, add_spot, new_resident_key
from store.spots import insert_spot

PARTIAL = "PARTIAL: this spot must never be seen"


def main(argv: list[str]) -> int:
    url, compound, mode, *rest = argv
    store = Store(url, settings=StoreSettings(spots_per_hour=0))
    me = Resident(new_resident_key(), f"writer-{compound[-4:]}")
    if mode == "bulk":
        n, go = int(rest[0]), Path(rest[1])
        while not go.exists():
            time.sleep(0.005)
        for i in range(n):
            add_spot(store, compound, me, 116.33 + i * 1e-6, 40.01, "parking", f"spot {i}")
        print(f"done {n}", flush=True)
    elif mode == "hang":
        with store.write() as session:
            insert_spot(
                session, store, compound_id=compound, lon=116.33, lat=40.01,
                category=SpotCategory.SAFETY, text=PARTIAL, author=me.pseudonym,
                author_key=me.key_digest, origin="web", actor="test",
            )  # fmt: skip
            session.flush()
            print("in-transaction", flush=True)
            time.sleep(120)
    elif mode == "loop":
        photo = Path(rest[0]).read_bytes()
        i = 0
        while True:
            spot = add_spot(store, compound, me, 116.33, 40.01, "lighting", f"loop {i}", photo=photo)
            print(f"ack {spot.id}", flush=True)
            i += 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
