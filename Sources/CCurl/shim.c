#include "CCurl.h"

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
  return curl_easy_setopt(handle, option, value);
}

CURLcode ccurl_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
  return curl_easy_setopt(handle, option, value);
}

CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
  return curl_easy_setopt(handle, option, value);
}

CURLcode ccurl_easy_setopt_data_callback(CURL *handle, CURLoption option,
                                         ccurl_data_callback callback) {
  return curl_easy_setopt(handle, option, callback);
}

CURLcode ccurl_easy_setopt_xferinfo_callback(CURL *handle, ccurl_xferinfo_callback callback) {
  CURLcode rc = curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
  return rc != CURLE_OK ? rc : curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
}

CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *out) {
  return curl_easy_getinfo(handle, info, out);
}

CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **out) {
  return curl_easy_getinfo(handle, info, out);
}

CURLcode ccurl_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *out) {
  return curl_easy_getinfo(handle, info, out);
}

CURLcode ccurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *out) {
  return curl_easy_getinfo(handle, info, out);
}

CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
  return curl_multi_setopt(multi, option, value);
}

CURLcode ccurl_msg_result(const CURLMsg *msg) { return msg->data.result; }
