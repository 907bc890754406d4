// Times short commands in alternation, to compare start-up costs on a noisy machine: each round
// runs every command once (fork, exec, wait), so a slow moment hits all of them alike. Prints the
// median, 25th and 10th percentile wall time and the mean minor page faults of each, and each
// median as a ratio of the last command's.
//
//   gcc -O2 -o /tmp/alternate scripts/benchmarks/alternate.c
//   /tmp/alternate 600 -- .build/release/lifeline --database DB optin status NUMBER
//                      -- /usr/bin/sqlite3 DB "SELECT ..."     (one command line)
//
// Commands need absolute or relative paths (no PATH search); their output goes to /dev/null.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { max_commands = 16 };

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 4 || strcmp(argv[2], "--") != 0) {
        fprintf(stderr, "usage: %s ROUNDS -- COMMAND ARGS... [-- COMMAND ARGS...]...\n", argv[0]);
        return 2;
    }
    int rounds = atoi(argv[1]), count = 0;
    char **commands[max_commands];
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") != 0) continue;
        if (count == max_commands || i + 1 == argc) { fprintf(stderr, "bad command list\n"); return 2; }
        argv[i] = NULL;  // ends the previous command's argument list
        commands[count++] = &argv[i + 1];
    }
    if (rounds < 1) { fprintf(stderr, "ROUNDS must be at least 1\n"); return 2; }
    double *times[max_commands];
    long faults[max_commands] = {0};
    for (int c = 0; c < count; c++) times[c] = malloc(sizeof(double) * rounds);
    int null = open("/dev/null", O_WRONLY);
    for (int r = 0; r < rounds; r++) {
        for (int c = 0; c < count; c++) {
            struct timespec start, end;
            clock_gettime(CLOCK_MONOTONIC, &start);
            pid_t child = fork();
            if (child == 0) {
                dup2(null, 1);
                dup2(null, 2);
                execv(commands[c][0], commands[c]);
                _exit(127);
            }
            int status;
            struct rusage usage;
            wait4(child, &status, 0, &usage);
            clock_gettime(CLOCK_MONOTONIC, &end);
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "%s failed (status %d)\n", commands[c][0], status);
                return 1;
            }
            times[c][r] = (end.tv_sec - start.tv_sec) * 1e6 + (end.tv_nsec - start.tv_nsec) / 1e3;
            faults[c] += usage.ru_minflt;
        }
    }
    for (int c = 0; c < count; c++) {
        qsort(times[c], rounds, sizeof(double), compare);
        printf("%-40s median %7.0f us  p25 %7.0f  p10 %7.0f  faults %ld\n", commands[c][0], times[c][rounds / 2],
               times[c][rounds / 4], times[c][rounds / 10], faults[c] / rounds);
    }
    double last = times[count - 1][rounds / 2];
    for (int c = 0; c < count - 1; c++) printf("%s: %.2fx the last\n", commands[c][0], times[c][rounds / 2] / last);
    return 0;
}
