#define _GNU_SOURCE
#include "CSandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int csb_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC) != 0 ? -errno : 0; }

int csb_wake_fd_create(void) {
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  return fd < 0 ? -errno : fd;
}

int csb_wake_fd_signal(int fd) {
  uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop will wake anyway.
  if (write(fd, &one, sizeof one) < 0 && errno != EAGAIN) return -errno;
  return 0;
}

int csb_pidfd_open(pid_t pid) {
  long fd = syscall(434 /* pidfd_open, same number everywhere */, pid, 0);
  return fd < 0 ? -errno : (int)fd;
}

int csb_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
  return posix_spawn_file_actions_addchdir_np(actions, path);
}

int csb_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowfd) {
  return posix_spawn_file_actions_addclosefrom_np(actions, lowfd);
}

short csb_spawn_setsid_flag(void) { return POSIX_SPAWN_SETSID; }

// glibc's execvpe searches the caller's PATH, not the one in `envp`; the sandbox helper runs
// with an empty environment of its own, so the search is done here.
int csb_execvpe(const char *file, char *const argv[], char *const envp[]) {
  if (file[0] == '\0') return -ENOENT;
  if (strchr(file, '/') != NULL) {
    execve(file, argv, envp);
    return -errno;
  }
  const char *path = "/usr/local/bin:/usr/bin:/bin";
  for (char *const *entry = envp; *entry != NULL; entry++) {
    if (strncmp(*entry, "PATH=", 5) == 0) {
      path = *entry + 5;
      break;
    }
  }
  size_t file_length = strlen(file);
  int result = -ENOENT;
  for (const char *start = path;; start++) {
    const char *end = strchrnul(start, ':');
    size_t length = (size_t)(end - start);
    char candidate[PATH_MAX];
    if (length + 1 + file_length + 1 <= sizeof candidate) {
      // An empty entry means the current directory, as in POSIX.
      if (length == 0) {
        candidate[0] = '.';
        length = 1;
      } else {
        memcpy(candidate, start, length);
      }
      candidate[length] = '/';
      memcpy(candidate + length + 1, file, file_length + 1);
      execve(candidate, argv, envp);
      // Keep looking after "not here"; remember that a candidate existed but was refused.
      if (errno == EACCES) result = -EACCES;
      else if (errno != ENOENT && errno != ENOTDIR) return -errno;
    }
    if (*end == '\0') break;
    start = end;
  }
  return result;
}

void csb_free(void *pointer) { free(pointer); }

int csb_wifexited(int status) { return WIFEXITED(status); }
int csb_wexitstatus(int status) { return WEXITSTATUS(status); }
int csb_wifsignaled(int status) { return WIFSIGNALED(status); }
int csb_wtermsig(int status) { return WTERMSIG(status); }
