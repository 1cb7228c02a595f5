// WeChat's open-data decryption (getPhoneNumber / getUserInfo encryptedData): decrypt_open_data
// and decrypt_phone_number over fuzz-chosen base64 text, over fuzz-chosen raw key, iv and
// ciphertext, and over a fuzz-chosen plaintext encrypted here under a fixed key and iv (so that
// the checks after the padding are reached). Every failure must be the one decrypt_failed; a
// success must carry the expected watermark.
//
// Input: a mode byte, then  '0'..: session_key \n iv \n encrypted_data \n app_id, as base64 text;
//                           '1'..: 16 key bytes, 16 iv bytes, the ciphertext, raw;
//                           '2'..: the plaintext JSON (app id "wxfuzz0000000001").
#include "wechat/open_data.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace wechat = wx::wechat;
constexpr std::string_view kAppId = "wxfuzz0000000001";
constexpr unsigned char kKey[16] = {'f', 'u', 'z', 'z', '-', 's', 'e', 's', 's', 'i', 'o', 'n', '-', 'k', 'e', 'y'};
constexpr unsigned char kIv[16] = {'f', 'u', 'z', 'z', '-', 'i', 'v', '-', '0', '1', '2', '3', '4', '5', '6', '7'};

std::string base64(void const* bytes, std::size_t n) {
    std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), static_cast<unsigned char const*>(bytes), n,
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);
    return out;
}

// AES-128-CBC with PKCS#7 padding, as WeChat encrypts.
std::string encrypt(std::string_view plaintext) {
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
    std::vector<unsigned char> out(plaintext.size() + 16);
    int n = 0;
    int last = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, kKey, kIv) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out.data(), &n, reinterpret_cast<unsigned char const*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out.data() + n, &last) != 1)
        __builtin_trap();
    return base64(out.data(), static_cast<std::size_t>(n + last));
}

std::string_view next_line(std::string_view& in) {
    auto eol = in.find('\n');
    std::string_view line = in.substr(0, eol);
    in.remove_prefix(eol == std::string_view::npos ? in.size() : eol + 1);
    return line;
}

void check(wx::result<boost::json::object> const& r, std::string_view app_id) {
    if (!r) {
        if (r.error() != wechat::OpenDataErrc::decrypt_failed) __builtin_trap();
        return;
    }
    auto const& watermark = r->at("watermark").as_object();
    if (watermark.at("appid").as_string() != app_id) __builtin_trap();
}

void check_phone(wx::result<wx::wechat::PhoneInfo> const& r) {
    if (!r) {
        if (r.error() != wechat::OpenDataErrc::decrypt_failed) __builtin_trap();
        return;
    }
    if (r->phone_number.empty() || r->pure_phone_number.empty() || r->country_code.empty()) __builtin_trap();
}

void decrypt_all(std::string_view key, std::string_view data, std::string_view iv, std::string_view app_id) {
    check(wechat::decrypt_open_data(key, data, iv, app_id), app_id);
    check_phone(wechat::decrypt_phone_number(key, data, iv, app_id));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    static bool const ready = sodium_init() >= 0;
    if (!ready) __builtin_trap();
    if (size == 0 || size > 4 * wechat::kMaxEncryptedData) return 0;
    std::string_view rest{reinterpret_cast<char const*>(data) + 1, size - 1};
    switch (data[0] % 3) {
        case 0: {
            auto key = next_line(rest);
            auto iv = next_line(rest);
            auto ciphertext = next_line(rest);
            decrypt_all(key, ciphertext, iv, rest);
            break;
        }
        case 1: {
            if (rest.size() < 32) return 0;
            std::string key = base64(rest.data(), 16);
            std::string iv = base64(rest.data() + 16, 16);
            std::string ciphertext = base64(rest.data() + 32, rest.size() - 32);
            decrypt_all(key, ciphertext, iv, kAppId);
            break;
        }
        default: {
            std::string ciphertext = encrypt(rest);
            std::string key = base64(kKey, sizeof kKey);
            std::string iv = base64(kIv, sizeof kIv);
            decrypt_all(key, ciphertext, iv, kAppId);
            // Whatever decrypts is exactly the JSON object that was encrypted.
            if (auto r = wechat::decrypt_open_data(key, ciphertext, iv, kAppId)) {
                boost::system::error_code ec;
                auto v = boost::json::parse(rest, ec);
                if (ec || !v.is_object() || v.as_object() != *r) __builtin_trap();
            }
            break;
        }
    }
    return 0;
}
