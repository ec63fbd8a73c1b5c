#define _GNU_SOURCE
#include "CSandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CSB_SYS_PIDFD_SEND_SIGNAL 424

// MARK: - Descendants

struct process {
  pid_t pid;
  pid_t parent;
  int live;  // not a zombie: signalling it means something
};

/// The parent pid from /proc/PID/stat, or -1; `*live` is cleared for a zombie. The command name
/// in parentheses may itself contain spaces and parentheses, so the fields are read after the
/// last ')'.
static pid_t parent_and_state(pid_t pid, int *live) {
  char path[64];
  char text[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t length = read(fd, text, sizeof text - 1);
  close(fd);
  if (length <= 0) return -1;
  text[length] = '\0';
  char *close_paren = strrchr(text, ')');
  if (close_paren == NULL) return -1;
  char state = 0;
  int parent = -1;
  // ") S PPID ..."
  if (sscanf(close_paren + 1, " %c %d", &state, &parent) != 2) return -1;
  *live = state != 'Z' && state != 'X';
  return (pid_t)parent;
}

static pid_t parent_of(pid_t pid) {
  int live = 0;
  return parent_and_state(pid, &live);
}

/// Every process in /proc with its parent. Returns the count, or -errno.
static long list_processes(struct process **out) {
  DIR *proc = opendir("/proc");
  if (proc == NULL) return -errno;
  size_t capacity = 512;
  size_t count = 0;
  struct process *list = malloc(capacity * sizeof *list);
  if (list == NULL) {
    closedir(proc);
    return -ENOMEM;
  }
  struct dirent *entry;
  while ((entry = readdir(proc)) != NULL) {
    char *end = NULL;
    long pid = strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || pid <= 0) continue;
    int live = 0;
    pid_t parent = parent_and_state((pid_t)pid, &live);
    if (parent < 0) continue;  // gone already
    if (count == capacity) {
      capacity *= 2;
      struct process *grown = realloc(list, capacity * sizeof *list);
      if (grown == NULL) {
        free(list);
        closedir(proc);
        return -ENOMEM;
      }
      list = grown;
    }
    list[count++] = (struct process){(pid_t)pid, parent, live};
  }
  closedir(proc);
  *out = list;
  return (long)count;
}

static int by_pid(const void *a, const void *b) {
  pid_t x = ((const struct process *)a)->pid;
  pid_t y = ((const struct process *)b)->pid;
  return x < y ? -1 : (x > y ? 1 : 0);
}

/// The index of `pid` in the sorted list, or -1.
static long index_of(const struct process *list, long count, pid_t pid) {
  struct process key = {pid, 0, 0};
  const struct process *found = bsearch(&key, list, (size_t)count, sizeof key, by_pid);
  return found == NULL ? -1 : (long)(found - list);
}

int csb_signal_descendants(pid_t root, int signal) {
  struct process *list = NULL;
  long count = list_processes(&list);
  if (count < 0) return (int)count;
  qsort(list, (size_t)count, sizeof *list, by_pid);
  char *marked = calloc((size_t)count + 1, 1);
  if (marked == NULL) {
    free(list);
    return -ENOMEM;
  }
  // A process is a descendant when its parent is the root or a descendant; repeat until no
  // more are found (as many passes as the tree is deep).
  int changed = 1;
  while (changed) {
    changed = 0;
    for (long i = 0; i < count; i++) {
      if (marked[i] || list[i].pid == root) continue;
      long parent = index_of(list, count, list[i].parent);
      if (list[i].parent == root || (parent >= 0 && marked[parent])) {
        marked[i] = 1;
        changed = 1;
      }
    }
  }
  int signalled = 0;
  for (long i = 0; i < count; i++) {
    if (!marked[i] || !list[i].live) continue;
    pid_t pid = list[i].pid;
    int pidfd = csb_pidfd_open(pid);
    if (pidfd == -ENOSYS) {
      // Kernels before 5.3: a small window remains in which the pid could be recycled.
      if (kill(pid, signal) == 0) signalled++;
      continue;
    }
    if (pidfd < 0) continue;  // exited meanwhile
    // The pidfd pins the process we mean; confirm it still belongs to the tree (its pid could
    // have been recycled between the listing and pidfd_open).
    pid_t parent = parent_of(pid);
    long parent_index = index_of(list, count, parent);
    int belongs = parent == root || (parent_index >= 0 && marked[parent_index]);
    if (belongs && syscall(CSB_SYS_PIDFD_SEND_SIGNAL, pidfd, signal, NULL, 0) == 0) signalled++;
    close(pidfd);
  }
  free(marked);
  free(list);
  return signalled;
}

// MARK: - Supervisor

static volatile sig_atomic_t parent_died = 0;

static void on_parent_death(int signal) {
  (void)signal;
  parent_died = 1;
}

/// SIGKILLs every descendant and reaps them until no child is left.
static void end_every_descendant(void) {
  for (;;) {
    // A subreaper without children has no descendants at all (an orphan would have become its
    // child): the usual case, decided without reading /proc.
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD) return;
    csb_signal_descendants(getpid(), SIGKILL);
    pid_t reaped = waitpid(-1, NULL, 0);
    if (reaped < 0 && errno == ECHILD) return;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
  }
}

static _Noreturn void exit_like(int status) {
  if (WIFSIGNALED(status)) {
    int signal = WTERMSIG(status);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigaction(signal, &action, NULL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, signal);
    sigprocmask(SIG_UNBLOCK, &only, NULL);
    // Not dumpable (set at the start), so a fatal signal leaves no core file behind.
    kill(getpid(), signal);
    _exit(128 + signal);
  }
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

static _Noreturn void supervise(pid_t command, pid_t original_parent, const sigset_t *watched) {
  int status = 0;
  int command_done = 0;
  while (!command_done) {
    if (parent_died || getppid() != original_parent) break;
    siginfo_t info;
    int signal = sigwaitinfo(watched, &info);
    if (signal < 0) continue;  // EINTR: the parent-death handler ran; checked above
    if (signal == SIGCHLD) {
      int child_status = 0;
      pid_t reaped;
      while ((reaped = waitpid(-1, &child_status, WNOHANG)) > 0) {
        if (reaped == command) {
          status = child_status;
          command_done = 1;
        }
      }
      if (reaped < 0 && errno == ECHILD && !command_done) break;
    } else {
      // SIGTERM, SIGINT or SIGQUIT for the supervisor: the command and everything it started
      // are asked to stop; the command's exit then ends the rest.
      csb_signal_descendants(getpid(), SIGTERM);
    }
  }
  end_every_descendant();
  if (!command_done) {
    // The parent went away (or the command vanished): it wants no status; report a kill.
    _exit(128 + SIGKILL);
  }
  exit_like(status);
}

int csb_fork_supervised(const char **failed_step) {
  const char *ignored = NULL;
  if (failed_step == NULL) failed_step = &ignored;
  pid_t parent = getppid();
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    *failed_step = "prctl(PR_SET_CHILD_SUBREAPER)";
    return -errno;
  }
  // Same-uid processes cannot ptrace it or read its /proc files, and it leaves no core file.
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    *failed_step = "prctl(PR_SET_DUMPABLE)";
    return -errno;
  }
  // Signals the supervisor handles synchronously; blocked before the fork so none is lost.
  sigset_t watched;
  sigemptyset(&watched);
  sigaddset(&watched, SIGCHLD);
  sigaddset(&watched, SIGTERM);
  sigaddset(&watched, SIGINT);
  sigaddset(&watched, SIGQUIT);
  sigset_t previous;
  sigprocmask(SIG_BLOCK, &watched, &previous);
  // When codex itself dies, the supervisor ends the command's whole tree too.
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_parent_death;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: interrupt sigwaitinfo
  sigaction(SIGHUP, &action, NULL);
  if (prctl(PR_SET_PDEATHSIG, SIGHUP, 0, 0, 0) != 0) {
    *failed_step = "prctl(PR_SET_PDEATHSIG)";
    return -errno;
  }
  pid_t supervisor = getpid();
  pid_t command = fork();
  if (command < 0) {
    *failed_step = "fork";
    return -errno;
  }
  if (command == 0) {
    // The command: the supervisor's death kills it (it would otherwise run on unsupervised).
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != supervisor) _exit(126);
    // Its own process group, so `kill 0` in the command cannot reach the supervisor.
    setpgid(0, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
    // Inherited from the supervisor; a non-dumpable process's /proc files belong to root, which
    // would stop it from writing its own uid_map (and ordinary tools from reading its status).
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    // Ignored dispositions and the signal mask survive execve: give the command clean ones.
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    for (int signal = 1; signal < NSIG; signal++) {
      if (signal != SIGKILL && signal != SIGSTOP) sigaction(signal, &action, NULL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    (void)previous;
    return 0;
  }
  supervise(command, parent, &watched);
}
