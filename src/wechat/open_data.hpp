#pragma once
// WeChat's legacy open-data encryption (the encryptedData + iv of getPhoneNumber and getUserInfo):
// AES-128-CBC with PKCS#7 padding under the user's session_key, every input base64 (standard
// alphabet, padded), the plaintext a JSON object carrying watermark {appid, timestamp}.

#include <boost/json/object.hpp>
#include <boost/system/error_category.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/task.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::wechat {

// decrypt_failed is every failure: bad base64 or lengths, a wrong key or iv, bad padding, a
// plaintext that is not JSON, missing fields, a foreign watermark. One kind on purpose: which check
// failed is no business of the client, and telling them apart would hand out a padding oracle.
// Callers answer 400 wechat_decrypt_failed.
enum class OpenDataErrc { decrypt_failed = 1 };

[[nodiscard]] boost::system::error_category const& open_data_category() noexcept;
[[nodiscard]] inline error_code make_error_code(OpenDataErrc e) noexcept {
    return {static_cast<int>(e), open_data_category()};
}

// Both members are base64 (standard alphabet, padded), as the mini-program hands them over.
struct EncryptedData {
    std::string encrypted_data;
    std::string iv;  // 16 bytes
};

// Longest encrypted_data accepted, in base64 characters: a phone payload is about 300, a user
// profile about 600; anything near this limit is not WeChat's.
inline constexpr std::size_t kMaxEncryptedData = 16 * 1024;

// Decrypts `encrypted_data` under `session_key` and `iv` and checks that the plaintext is a JSON
// object whose watermark.appid equals `app_id` and whose watermark.timestamp is an integer. The
// timestamp's age is not checked: WeChat documents no lifetime for this data.
[[nodiscard]] result<boost::json::object> decrypt_open_data(std::string_view session_key,
                                                            std::string_view encrypted_data,
                                                            std::string_view iv,
                                                            std::string_view app_id);

// decrypt_open_data, then phoneNumber, purePhoneNumber (non-empty strings) and countryCode (a
// string or a number: WeChat sends both).
[[nodiscard]] result<PhoneInfo> decrypt_phone_number(std::string_view session_key,
                                                     std::string_view encrypted_data,
                                                     std::string_view iv,
                                                     std::string_view app_id);

// The inverse, for the simulator and tests: encrypts `plaintext` under `session_key` with a fresh
// random iv. Throws std::invalid_argument when session_key is not base64 of 16 bytes or the
// plaintext is longer than kMaxEncryptedData.
[[nodiscard]] EncryptedData encrypt_open_data(std::string_view session_key, std::string_view plaintext);

}  // namespace wx::wechat

template <>
struct boost::system::is_error_code_enum<wx::wechat::OpenDataErrc> : std::true_type {};
