/* Runs a command and reports its own CPU time and peak RSS, which a child spawned straight from
 * Python cannot (the kernel counts the RSS of the vfork'd Python parent until exec). This helper
 * is tiny, so what its child inherits is below any real client's RSS.
 * Usage: spawn_rusage REPORT_FILE COMMAND [ARGS...]; exits with the command's status and writes
 * "user_seconds sys_seconds maxrss_kb" to REPORT_FILE. Built by bench/run with cc. */
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: spawn_rusage REPORT COMMAND [ARGS...]\n");
    return 2;
  }
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[2], NULL, NULL, &argv[2], environ);
  if (rc != 0) {
    perror("posix_spawnp");
    return 127;
  }
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) {
    perror("wait4");
    return 126;
  }
  FILE *f = fopen(argv[1], "w");
  if (f) {
    fprintf(f, "%ld.%06ld %ld.%06ld %ld\n", (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
            (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec, ru.ru_maxrss);
    fclose(f);
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}
