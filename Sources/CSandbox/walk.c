#define _GNU_SOURCE
#include "CSandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct buffer {
  char *bytes;
  size_t length;
  size_t capacity;
  int failed;
};

static void append(struct buffer *b, const char *text, size_t length) {
  if (b->failed) return;
  if (b->length + length > b->capacity) {
    size_t capacity = b->capacity ? b->capacity : 4096;
    while (capacity < b->length + length) capacity *= 2;
    char *grown = realloc(b->bytes, capacity);
    if (grown == NULL) {
      b->failed = 1;
      return;
    }
    b->bytes = grown;
    b->capacity = capacity;
  }
  memcpy(b->bytes + b->length, text, length);
  b->length += length;
}

/// `directory` + "/" + `name`, malloc'ed.
static char *join(const char *directory, const char *name) {
  size_t dl = strlen(directory);
  size_t nl = strlen(name);
  int slash = dl > 0 && directory[dl - 1] == '/';
  char *path = malloc(dl + nl + 2);
  if (path == NULL) return NULL;
  memcpy(path, directory, dl);
  if (!slash) path[dl++] = '/';
  memcpy(path + dl, name, nl + 1);
  return path;
}

char *csb_find_entries_named(const char *root, const char *name, size_t max_directories,
                             size_t *length, int *truncated) {
  *length = 0;
  *truncated = 0;
  struct buffer found = {NULL, 0, 0, 0};
  // The queue holds directories still to read (breadth first, so shallow entries come first).
  size_t capacity = 256;
  size_t head = 0;
  size_t tail = 0;
  char **queue = malloc(capacity * sizeof *queue);
  if (queue == NULL) {
    *truncated = 1;
    return NULL;
  }
  queue[tail++] = strdup(root);
  size_t examined = 0;
  while (head < tail) {
    char *directory = queue[head++];
    if (directory == NULL) {
      found.failed = 1;
      continue;
    }
    if (examined >= max_directories) {
      *truncated = 1;
      free(directory);
      continue;
    }
    examined++;
    int fd = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *stream = fd >= 0 ? fdopendir(fd) : NULL;
    if (stream == NULL) {
      if (fd >= 0) close(fd);
      free(directory);
      continue;  // unreadable or gone: nothing we can see there
    }
    struct dirent *entry;
    while ((entry = readdir(stream)) != NULL) {
      const char *entry_name = entry->d_name;
      if (strcmp(entry_name, ".") == 0 || strcmp(entry_name, "..") == 0) continue;
      unsigned char type = entry->d_type;
      if (type == DT_UNKNOWN) {
        struct stat info;
        if (fstatat(dirfd(stream), entry_name, &info, AT_SYMLINK_NOFOLLOW) != 0) continue;
        type = S_ISDIR(info.st_mode) ? DT_DIR : (S_ISLNK(info.st_mode) ? DT_LNK : DT_REG);
      }
      int matches = strcmp(entry_name, name) == 0;
      if (!matches && type != DT_DIR) continue;
      char *path = join(directory, entry_name);
      if (path == NULL) {
        found.failed = 1;
        continue;
      }
      if (matches) {
        append(&found, path, strlen(path) + 1);
        free(path);
        continue;
      }
      if (tail == capacity) {
        // Reclaim the consumed front before growing.
        memmove(queue, queue + head, (tail - head) * sizeof *queue);
        tail -= head;
        head = 0;
        if (tail == capacity) {
          char **grown = realloc(queue, capacity * 2 * sizeof *queue);
          if (grown == NULL) {
            free(path);
            found.failed = 1;
            continue;
          }
          queue = grown;
          capacity *= 2;
        }
      }
      queue[tail++] = path;
    }
    closedir(stream);
    free(directory);
  }
  free(queue);
  if (found.failed) *truncated = 1;
  if (found.length == 0) {
    free(found.bytes);
    return NULL;
  }
  *length = found.length;
  return found.bytes;
}
