#ifndef CSANDBOX_H
#define CSANDBOX_H
// Landlock, seccomp, prctl and spawn helpers that Swift's Glibc module does not expose.
#endif
