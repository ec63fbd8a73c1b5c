#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

// One pointer per libcurl function we use, typed from curl.h's own prototypes so a mismatch
// is a compile error. Filled once by load_library(); read-only afterwards.
#define CCURL_FUNCTIONS(X)                                                                        \
  X(curl_global_init)                                                                             \
  X(curl_easy_init)                                                                               \
  X(curl_easy_cleanup)                                                                            \
  X(curl_easy_pause)                                                                              \
  X(curl_easy_strerror)                                                                           \
  X(curl_easy_setopt)                                                                             \
  X(curl_multi_init)                                                                              \
  X(curl_multi_cleanup)                                                                           \
  X(curl_multi_add_handle)                                                                        \
  X(curl_multi_remove_handle)                                                                     \
  X(curl_multi_perform)                                                                           \
  X(curl_multi_poll)                                                                              \
  X(curl_multi_wakeup)                                                                            \
  X(curl_multi_info_read)                                                                         \
  X(curl_multi_strerror)                                                                          \
  X(curl_slist_append)                                                                            \
  X(curl_slist_free_all)

#define DECLARE(name) static __typeof__(&name) p_##name;
CCURL_FUNCTIONS(DECLARE)
#undef DECLARE

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];
static int load_status = -1;

static void load_library(void) {
  // The soname first (what Debian's libcurl4 installs); the dev symlink as a fallback.
  static const char *const names[] = {"libcurl.so.4", "libcurl.so"};
  void *library = NULL;
  for (size_t i = 0; i < sizeof names / sizeof names[0] && library == NULL; i++) {
    library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    // Why the soname failed is what the user needs to know; the fallback's reason is noise.
    const char *reason = library == NULL && i == 0 ? dlerror() : NULL;
    if (reason != NULL) snprintf(load_error, sizeof load_error, "%s", reason);
  }
  if (library == NULL) {
    if (load_error[0] == 0) snprintf(load_error, sizeof load_error, "libcurl.so.4 not found");
    return;
  }
#define RESOLVE(name)                                                                             \
  p_##name = (__typeof__(&name))dlsym(library, #name);                                            \
  if (p_##name == NULL) {                                                                         \
    snprintf(load_error, sizeof load_error, "libcurl.so.4 has no %s (libcurl too old?)", #name);  \
    return;                                                                                       \
  }
  CCURL_FUNCTIONS(RESOLVE)
#undef RESOLVE
  // Global state must exist before any thread creates a handle; done here, once.
  CURLcode rc = p_curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) {
    snprintf(load_error, sizeof load_error, "curl_global_init failed: %s",
             p_curl_easy_strerror(rc));
    return;
  }
  load_status = 0;
}

int ccurl_load(char *error, size_t error_size) {
  pthread_once(&load_once, load_library);
  if (load_status != 0 && error != NULL && error_size > 0) {
    snprintf(error, error_size, "%s", load_error);
  }
  return load_status;
}

static void *preload_thread(void *unused) {
  (void)unused;
  pthread_once(&load_once, load_library);
  return NULL;
}

void ccurl_preload(void) {
  pthread_t thread;
  pthread_attr_t attributes;
  if (pthread_attr_init(&attributes) != 0) return;
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  // On failure nothing is lost: the first request loads the library itself.
  (void)pthread_create(&thread, &attributes, preload_thread, NULL);
  pthread_attr_destroy(&attributes);
}

CURL *ccurl_easy_init(void) { return p_curl_easy_init(); }
void ccurl_easy_cleanup(CURL *handle) { p_curl_easy_cleanup(handle); }
CURLcode ccurl_easy_pause(CURL *handle, int bitmask) { return p_curl_easy_pause(handle, bitmask); }
const char *ccurl_easy_strerror(CURLcode code) { return p_curl_easy_strerror(code); }

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
  return p_curl_easy_setopt(handle, option, value);
}

CURLcode ccurl_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
  return p_curl_easy_setopt(handle, option, value);
}

CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
  return p_curl_easy_setopt(handle, option, value);
}

CURLcode ccurl_easy_setopt_data_callback(CURL *handle, CURLoption option,
                                         ccurl_data_callback callback) {
  return p_curl_easy_setopt(handle, option, callback);
}

CURLM *ccurl_multi_init(void) { return p_curl_multi_init(); }
CURLMcode ccurl_multi_cleanup(CURLM *multi) { return p_curl_multi_cleanup(multi); }
CURLMcode ccurl_multi_add_handle(CURLM *multi, CURL *handle) {
  return p_curl_multi_add_handle(multi, handle);
}
CURLMcode ccurl_multi_remove_handle(CURLM *multi, CURL *handle) {
  return p_curl_multi_remove_handle(multi, handle);
}
CURLMcode ccurl_multi_perform(CURLM *multi, int *running) {
  return p_curl_multi_perform(multi, running);
}
CURLMcode ccurl_multi_poll(CURLM *multi, int timeout_ms) {
  return p_curl_multi_poll(multi, NULL, 0, timeout_ms, NULL);
}
CURLMcode ccurl_multi_wakeup(CURLM *multi) { return p_curl_multi_wakeup(multi); }
CURLMsg *ccurl_multi_info_read(CURLM *multi, int *queued) {
  return p_curl_multi_info_read(multi, queued);
}
const char *ccurl_multi_strerror(CURLMcode code) { return p_curl_multi_strerror(code); }

struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *line) {
  return p_curl_slist_append(list, line);
}
void ccurl_slist_free_all(struct curl_slist *list) { p_curl_slist_free_all(list); }

CURLcode ccurl_msg_result(const CURLMsg *msg) { return msg->data.result; }
