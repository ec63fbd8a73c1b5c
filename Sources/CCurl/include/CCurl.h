#ifndef CCURL_H
#define CCURL_H
// Our door to libcurl. Two jobs:
//  1. Typed wrappers for libcurl's variadic calls (Swift cannot call C variadics).
//  2. libcurl is loaded with dlopen on first use, not linked: libcurl.so.4 pulls in ~25 shared
//     libraries (OpenSSL, GnuTLS, Kerberos, LDAP, ...) whose loading and relocation cost ~5 ms
//     on every start, and most starts (`--version`, `config`, the sandbox helper that runs each
//     tool command) never make a request. The headers still come from libcurl4-openssl-dev;
//     at run time only the library itself (Debian's libcurl4) is needed.
#include <curl/curl.h>
#include <stddef.h>

/// Loads libcurl.so.4, resolves every function below and runs curl_global_init; safe to call
/// from any thread, and only the first call does work (others wait for it). Returns 0 on
/// success; otherwise -1 with the reason (dlerror's text) copied into `error`. No other ccurl_
/// function may be called before a successful load.
int ccurl_load(char *error, size_t error_size);

/// Starts the load on a thread of its own and returns at once, so the ~6 ms it takes overlap
/// with the caller's start-up work (arguments, config, instructions) when a request will follow.
void ccurl_preload(void);

/// CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION share this shape.
typedef size_t (*ccurl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

CURL *ccurl_easy_init(void);
void ccurl_easy_cleanup(CURL *handle);
CURLcode ccurl_easy_pause(CURL *handle, int bitmask);
const char *ccurl_easy_strerror(CURLcode code);
CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value);
CURLcode ccurl_easy_setopt_data_callback(CURL *handle, CURLoption option,
                                         ccurl_data_callback callback);

CURLM *ccurl_multi_init(void);
CURLMcode ccurl_multi_cleanup(CURLM *multi);
CURLMcode ccurl_multi_add_handle(CURLM *multi, CURL *handle);
CURLMcode ccurl_multi_remove_handle(CURLM *multi, CURL *handle);
CURLMcode ccurl_multi_perform(CURLM *multi, int *running);
CURLMcode ccurl_multi_poll(CURLM *multi, int timeout_ms);
CURLMcode ccurl_multi_wakeup(CURLM *multi);
CURLMsg *ccurl_multi_info_read(CURLM *multi, int *queued);
const char *ccurl_multi_strerror(CURLMcode code);

struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *line);
void ccurl_slist_free_all(struct curl_slist *list);

/// The CURLcode of a CURLMSG_DONE message (the field sits in a union Swift imports awkwardly).
CURLcode ccurl_msg_result(const CURLMsg *msg);

#endif
