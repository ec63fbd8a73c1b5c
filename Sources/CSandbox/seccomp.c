#define _GNU_SOURCE
#include "CSandbox.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int csb_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ? -errno : 0; }

#if defined(__x86_64__)
#define CSB_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CSB_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

int csb_seccomp_filter_available(void) {
#ifdef CSB_AUDIT_ARCH
  uint32_t action = SECCOMP_RET_ERRNO;
  return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0 ? -errno : 0;
#else
  return -ENOSYS;  // the filter reads arguments as little-endian words
#endif
}

#ifdef CSB_AUDIT_ARCH

// Arguments are 64-bit slots; on little-endian machines the low word comes first. Every argument
// checked here is an int, pid_t or unsigned int in the kernel (which uses only the low word), so
// comparing the low word is exactly the kernel's view; pointers are checked on both words.
#define ARG_LOW(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HIGH(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)

#define RET_ALLOW SECCOMP_RET_ALLOW
#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))

enum { MAX_INSTRUCTIONS = 160 };

struct program {
  struct sock_filter code[MAX_INSTRUCTIONS];
  unsigned length;
  int overflow;
};

static void emit(struct program *p, struct sock_filter instruction) {
  if (p->length < MAX_INSTRUCTIONS) {
    p->code[p->length++] = instruction;
  } else {
    p->overflow = 1;
  }
}

static void load(struct program *p, uint32_t offset) {
  emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset));
}

static void ret(struct program *p, uint32_t action) {
  emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action));
}

static void jump_if_equal(struct program *p, uint32_t value, uint8_t if_true, uint8_t if_false) {
  emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, value, if_true, if_false));
}

// Each rule below is one self-contained block that starts with "is this the syscall?" (the
// accumulator holds the syscall number), falls into its checks when it is, jumps over them when
// it is not, and always ends in a return, so the next block again sees the syscall number.

/// `nr` -> `action`, whatever the arguments.
static void rule_always(struct program *p, int nr, uint32_t action) {
  jump_if_equal(p, (uint32_t)nr, 0, 1);
  ret(p, action);
}

/// `nr` with argument `arg` (low word) equal to one of `values` -> `action`; otherwise allowed.
static void rule_argument_in(struct program *p, int nr, int arg, const uint32_t *values,
                             unsigned count, uint32_t action) {
  // Block: load, `count` comparisons, allow, deny.
  jump_if_equal(p, (uint32_t)nr, 0, (uint8_t)(count + 3));
  load(p, ARG_LOW(arg));
  for (unsigned i = 0; i < count; i++) {
    // Comparison i sits at block offset 1 + i; the deny return at 2 + count.
    jump_if_equal(p, values[i], (uint8_t)(count - i), 0);
  }
  ret(p, RET_ALLOW);
  ret(p, action);
}

/// socket() / socketpair(): AF_UNIX only, and no datagram sockets (they can send to any
/// address without connect()).
static void rule_unix_sockets_only(struct program *p, int nr) {
  jump_if_equal(p, (uint32_t)nr, 0, 8);
  /* 0 */ load(p, ARG_LOW(0));
  /* 1 */ jump_if_equal(p, AF_UNIX, 1, 0);
  /* 2 */ ret(p, RET_ERRNO(EACCES));
  /* 3 */ load(p, ARG_LOW(1));
  /* 4 */ emit(p, (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf));  // SOCK_TYPE_MASK
  /* 5 */ jump_if_equal(p, SOCK_DGRAM, 0, 1);
  /* 6 */ ret(p, RET_ERRNO(EACCES));
  /* 7 */ ret(p, RET_ALLOW);
}

/// sendto() with a destination address (argument 4 not NULL).
static void rule_sendto_without_address(struct program *p) {
  jump_if_equal(p, __NR_sendto, 0, 6);
  /* 0 */ load(p, ARG_LOW(4));
  /* 1 */ jump_if_equal(p, 0, 0, 3);
  /* 2 */ load(p, ARG_HIGH(4));
  /* 3 */ jump_if_equal(p, 0, 0, 1);
  /* 4 */ ret(p, RET_ALLOW);
  /* 5 */ ret(p, RET_ERRNO(EACCES));
}

int csb_install_seccomp_filter(int block_network, int deny_path_truncate, pid_t protected_pid_1,
                               pid_t protected_pid_2) {
  struct program p = {.length = 0, .overflow = 0};
  load(&p, offsetof(struct seccomp_data, arch));
  jump_if_equal(&p, CSB_AUDIT_ARCH, 1, 0);
  ret(&p, SECCOMP_RET_KILL_PROCESS);
  load(&p, offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
  // x32 syscalls carry bit 30; they would bypass every number checked below.
  emit(&p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1));
  ret(&p, RET_ERRNO(EPERM));
#endif
  rule_always(&p, __NR_io_uring_setup, RET_ERRNO(EPERM));
  const uint32_t terminal_injection[] = {TIOCSTI, TIOCLINUX};
  rule_argument_in(&p, __NR_ioctl, 1, terminal_injection, 2, RET_ERRNO(EPERM));

  if (block_network) {
    rule_unix_sockets_only(&p, __NR_socket);
    rule_unix_sockets_only(&p, __NR_socketpair);
    rule_always(&p, __NR_connect, RET_ERRNO(EACCES));
    rule_sendto_without_address(&p);
  }
#ifdef __NR_truncate
  if (deny_path_truncate) rule_always(&p, __NR_truncate, RET_ERRNO(EACCES));
#endif

  uint32_t targets[2];
  unsigned target_count = 0;
  if (protected_pid_1 > 0) targets[target_count++] = (uint32_t)protected_pid_1;
  if (protected_pid_2 > 0) targets[target_count++] = (uint32_t)protected_pid_2;
  if (target_count > 0) {
    // kill(2) also reaches a process through its group (-pgid; the supervisor leads its own
    // group) and every process at once (-1).
    uint32_t kill_targets[5];
    unsigned kill_count = 0;
    kill_targets[kill_count++] = (uint32_t)-1;
    for (unsigned i = 0; i < target_count; i++) {
      kill_targets[kill_count++] = targets[i];
      kill_targets[kill_count++] = (uint32_t)-(int32_t)targets[i];
    }
    rule_argument_in(&p, __NR_kill, 0, kill_targets, kill_count, RET_ERRNO(EPERM));
    const int by_pid[] = {__NR_tkill,       __NR_tgkill,     __NR_rt_sigqueueinfo,
                          __NR_rt_tgsigqueueinfo, 434 /* pidfd_open */, __NR_prlimit64};
    for (unsigned i = 0; i < sizeof by_pid / sizeof by_pid[0]; i++) {
      rule_argument_in(&p, by_pid[i], 0, targets, target_count, RET_ERRNO(EPERM));
    }
  }
  ret(&p, RET_ALLOW);

  if (p.overflow) return -E2BIG;
  struct sock_fprog program = {(unsigned short)p.length, p.code};
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0 ? -errno : 0;
}

#else

int csb_install_seccomp_filter(int block_network, int deny_path_truncate, pid_t protected_pid_1,
                               pid_t protected_pid_2) {
  (void)block_network;
  (void)deny_path_truncate;
  (void)protected_pid_1;
  (void)protected_pid_2;
  return -ENOSYS;
}

#endif
