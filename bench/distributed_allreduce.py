"""Times Gloo's all_reduce of one flat float32 buffer of the gradient's size, as Pairtune's
ProcessGroup::averageGradients does once per step (training/dist/processgroup.cpp). Run under torchrun:
    python3 -m torch.distributed.run --nproc_per_node 2 -r 2 -t 2 bench/distributed_allreduce.py ELEMENTS OUT.json
Rank 0 writes the median and the spread of `repeats` timed all-reduces after warm-up ones."""
import json
import statistics
import sys
import time

import torch
import torch.distributed as dist


def main():
    elements, out = int(sys.argv[1]), sys.argv[2]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    dist.init_process_group("gloo")
    buffer = torch.ones(elements, dtype=torch.float32)
    for _ in range(3):
        dist.all_reduce(buffer)
    seconds = []
    for _ in range(repeats):
        dist.barrier()
        start = time.perf_counter()
        dist.all_reduce(buffer)
        seconds.append(time.perf_counter() - start)
    if dist.get_rank() == 0:
        with open(out, "w") as f:
            json.dump({"processes": dist.get_world_size(), "elements": elements, "bytes": elements * 4,
                       "median_seconds": statistics.median(seconds), "min_seconds": min(seconds),
                       "max_seconds": max(seconds), "repeats": repeats,
                       "torch": torch.__version__}, f, indent=2)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
