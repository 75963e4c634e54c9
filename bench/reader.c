/* bench/reader.c — read every file named in a list, with N threads, like a training job.
 *
 * Usage: reader LISTFILE THREADS [BUFSIZE]
 *   LISTFILE  one path per line
 *   THREADS   parallel readers; each takes the next file from a shared counter
 *   BUFSIZE   bytes per read(2) call (default 1 MiB)
 *
 * Each file is opened O_RDONLY, read to EOF with read(2) into a per-thread buffer, closed.
 * Prints one JSON line on stdout: {"files":N,"bytes":B,"seconds":S,"errors":E}; the time covers
 * only the reading (threads start together after the list is loaded). Exit status 1 on any error.
 *
 * bench_fs.py compiles this with `cc -O2 -pthread` into its work dir. A C reader keeps
 * interpreter overhead (tens of microseconds per file in Python) out of ratios whose native side
 * is about 100 microseconds per warm 0.5 MB file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char** paths;
static size_t npaths;
static size_t bufsize = 1 << 20;
static atomic_size_t next_index;
static atomic_uint_fast64_t total_bytes;
static atomic_size_t total_files;
static atomic_size_t total_errors;
static pthread_barrier_t start_barrier;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void* worker(void* arg) {
  (void)arg;
  char* buf = NULL;
  if (posix_memalign((void**)&buf, 4096, bufsize) != 0) {
    atomic_fetch_add(&total_errors, 1);
    pthread_barrier_wait(&start_barrier);
    return NULL;
  }
  pthread_barrier_wait(&start_barrier);
  for (;;) {
    size_t i = atomic_fetch_add(&next_index, 1);
    if (i >= npaths) break;
    int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      fprintf(stderr, "reader: open %s: %s\n", paths[i], strerror(errno));
      atomic_fetch_add(&total_errors, 1);
      continue;
    }
    uint64_t got = 0;
    for (;;) {
      ssize_t n = read(fd, buf, bufsize);
      if (n > 0) {
        got += (uint64_t)n;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        fprintf(stderr, "reader: read %s: %s\n", paths[i], strerror(errno));
        atomic_fetch_add(&total_errors, 1);
      }
      break;
    }
    close(fd);
    atomic_fetch_add(&total_bytes, got);
    atomic_fetch_add(&total_files, 1);
  }
  free(buf);
  return NULL;
}

static int load_list(const char* file) {
  FILE* f = fopen(file, "r");
  if (!f) {
    fprintf(stderr, "reader: %s: %s\n", file, strerror(errno));
    return -1;
  }
  size_t cap = 1024;
  paths = malloc(cap * sizeof *paths);
  char* line = NULL;
  size_t len = 0;
  ssize_t n;
  while ((n = getline(&line, &len, f)) > 0) {
    if (line[n - 1] == '\n') line[--n] = 0;
    if (n == 0) continue;
    if (npaths == cap) {
      cap *= 2;
      paths = realloc(paths, cap * sizeof *paths);
    }
    paths[npaths++] = strdup(line);
  }
  free(line);
  fclose(f);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s LISTFILE THREADS [BUFSIZE]\n", argv[0]);
    return 2;
  }
  int threads = atoi(argv[2]);
  if (threads < 1 || threads > 1024) {
    fprintf(stderr, "reader: THREADS must be 1..1024\n");
    return 2;
  }
  if (argc == 4) bufsize = (size_t)strtoull(argv[3], NULL, 10);
  if (bufsize < 4096) bufsize = 4096;
  if (load_list(argv[1]) != 0) return 2;

  pthread_t* tids = calloc((size_t)threads, sizeof *tids);
  pthread_barrier_init(&start_barrier, NULL, (unsigned)threads + 1);
  for (int t = 0; t < threads; ++t) pthread_create(&tids[t], NULL, worker, NULL);
  pthread_barrier_wait(&start_barrier);
  double t0 = now();
  for (int t = 0; t < threads; ++t) pthread_join(tids[t], NULL);
  double t1 = now();

  printf("{\"files\":%zu,\"bytes\":%llu,\"seconds\":%.6f,\"errors\":%zu}\n",
         (size_t)atomic_load(&total_files), (unsigned long long)atomic_load(&total_bytes), t1 - t0,
         (size_t)atomic_load(&total_errors));
  return atomic_load(&total_errors) ? 1 : 0;
}
