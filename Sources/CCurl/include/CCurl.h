#ifndef CCURL_H
#define CCURL_H
// Typed wrappers for libcurl's variadic calls (Swift cannot call C variadics).
#include <curl/curl.h>

/// CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION share this shape.
typedef size_t (*ccurl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*ccurl_xferinfo_callback)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                       curl_off_t ultotal, curl_off_t ulnow);

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value);
CURLcode ccurl_easy_setopt_data_callback(CURL *handle, CURLoption option,
                                         ccurl_data_callback callback);
/// Sets CURLOPT_XFERINFOFUNCTION and turns CURLOPT_NOPROGRESS off so it is called.
CURLcode ccurl_easy_setopt_xferinfo_callback(CURL *handle, ccurl_xferinfo_callback callback);

CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *out);
CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **out);
CURLcode ccurl_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *out);
CURLcode ccurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *out);

CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/// The CURLcode of a CURLMSG_DONE message (the field sits in a union Swift imports awkwardly).
CURLcode ccurl_msg_result(const CURLMsg *msg);

#endif
