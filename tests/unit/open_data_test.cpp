// Legacy open-data decryption: WeChat's own demo vector, round trips, and every way the input can
// be wrong collapsing into the one decrypt_failed.
#include "wechat/open_data.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace wx::wechat {
namespace {

namespace json = boost::json;

// WeChat's documentation demo for open-data decryption (the WXBizDataCrypt sample), as SDK test
// suites carry it: a user profile for app wx4f4bc4dec97d474b.
constexpr char const* kDemoAppId = "wx4f4bc4dec97d474b";
constexpr char const* kDemoSessionKey = "tiihtNczf5v6AKRyjwEUhQ==";
constexpr char const* kDemoIv = "r7BXXKkLb8qrSNn05n0qiA==";
constexpr char const* kDemoEncryptedData =
    "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lG"
    "OETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlx"
    "uacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z"
    "6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlV"
    "sAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==";

constexpr char const* kKey = "nzoqhc3OnwHzeTxJs+inbQ==";
constexpr char const* kOtherKey = "HyVFkGl5F5OQWJZZaNzBBg==";
constexpr char const* kApp = "wxA";

error_code const kFailed = OpenDataErrc::decrypt_failed;

std::string b64(std::vector<unsigned char> const& bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    out.pop_back();
    return out;
}

std::vector<unsigned char> unb64(std::string const& s) {
    std::vector<unsigned char> out(s.size());
    std::size_t len = 0;
    if (sodium_base642bin(out.data(), out.size(), s.data(), s.size(), nullptr, &len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        throw std::invalid_argument("test data is not base64");
    out.resize(len);
    return out;
}

// AES-128-CBC without padding, so that tests can lay out the last block themselves.
std::vector<unsigned char> encrypt_raw(std::string const& key_b64,
                                       std::vector<unsigned char> const& iv,
                                       std::vector<unsigned char> const& blocks) {
    auto key = unb64(key_b64);
    std::unique_ptr<EVP_CIPHER_CTX, void (*)(EVP_CIPHER_CTX*)> ctx{EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free};
    std::vector<unsigned char> out(blocks.size() + 16);
    int n = 0;
    int f = 0;
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, key.data(), iv.data()) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out.data(), &n, blocks.data(), static_cast<int>(blocks.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out.data() + n, &f) != 1)
        throw std::runtime_error("raw AES failed");
    out.resize(static_cast<std::size_t>(n + f));
    return out;
}

std::string phone_json(std::string const& watermark_app = kApp) {
    json::object o{{"phoneNumber", "13812345678"},
                   {"purePhoneNumber", "13812345678"},
                   {"countryCode", "86"},
                   {"watermark", json::object{{"timestamp", 1700000000}, {"appid", watermark_app}}}};
    return json::serialize(o);
}

result<PhoneInfo> decrypt(EncryptedData const& d, char const* key = kKey, char const* app = kApp) {
    return decrypt_phone_number(key, d.encrypted_data, d.iv, app);
}

TEST(OpenData, DecryptsWeChatsDemoVector) {
    auto data = decrypt_open_data(kDemoSessionKey, kDemoEncryptedData, kDemoIv, kDemoAppId);
    ASSERT_TRUE(data) << data.error().message();
    EXPECT_EQ(data->at("openId").as_string(), "oGZUI0egBJY1zhBYw2KhdUfwVJJE");
    EXPECT_EQ(data->at("unionId").as_string(), "ocMvos6NjeKLIBqg5Mr9QjxrP1FA");
    EXPECT_EQ(data->at("watermark").at("timestamp").as_int64(), 1477314187);
    // Not a phone payload: the phone fields are missing.
    EXPECT_EQ(decrypt_phone_number(kDemoSessionKey, kDemoEncryptedData, kDemoIv, kDemoAppId).error(), kFailed);
}

TEST(OpenData, DemoVectorForAnotherAppFails) {
    EXPECT_EQ(decrypt_open_data(kDemoSessionKey, kDemoEncryptedData, kDemoIv, "wx0000000000000000").error(), kFailed);
    EXPECT_EQ(decrypt_open_data(kDemoSessionKey, kDemoEncryptedData, kDemoIv, "").error(), kFailed);
}

TEST(OpenData, PhoneRoundTrip) {
    auto sealed = encrypt_open_data(kKey, phone_json());
    EXPECT_EQ(sealed.iv.size(), 24u);
    auto info = decrypt(sealed);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->phone_number, "13812345678");
    EXPECT_EQ(info->pure_phone_number, "13812345678");
    EXPECT_EQ(info->country_code, "86");
}

TEST(OpenData, CountryCodeMayBeANumber) {
    json::object o{{"phoneNumber", "+15551234567"},
                   {"purePhoneNumber", "5551234567"},
                   {"countryCode", 1},
                   {"watermark", json::object{{"timestamp", 1}, {"appid", kApp}}}};
    auto info = decrypt(encrypt_open_data(kKey, json::serialize(o)));
    ASSERT_TRUE(info);
    EXPECT_EQ(info->phone_number, "+15551234567");
    EXPECT_EQ(info->country_code, "1");
}

TEST(OpenData, EveryEncryptionHasItsOwnIv) {
    auto a = encrypt_open_data(kKey, phone_json());
    auto b = encrypt_open_data(kKey, phone_json());
    EXPECT_NE(a.iv, b.iv);
    EXPECT_NE(a.encrypted_data, b.encrypted_data);
}

TEST(OpenData, WrongWatermarkFails) {
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, phone_json("wxB"))).error(), kFailed);
    EXPECT_TRUE(decrypt(encrypt_open_data(kKey, phone_json())));
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, phone_json()), kKey, "wxB").error(), kFailed);
}

TEST(OpenData, WrongKeyFails) {
    for (int i = 0; i < 20; ++i)  // random ivs: the garbage differs every time
        EXPECT_EQ(decrypt(encrypt_open_data(kKey, phone_json()), kOtherKey).error(), kFailed);
}

TEST(OpenData, WrongIvFails) {
    auto sealed = encrypt_open_data(kKey, phone_json());
    // CBC: a wrong iv garbles only the first block, which holds the opening of the JSON.
    sealed.iv = encrypt_open_data(kKey, "x").iv;
    EXPECT_EQ(decrypt(sealed).error(), kFailed);
}

TEST(OpenData, BadBase64Fails) {
    auto sealed = encrypt_open_data(kKey, phone_json());
    auto const& d = sealed.encrypted_data;
    auto with = [&](std::string data, std::string iv, std::string key) {
        return decrypt_phone_number(key, data, iv, kApp);
    };
    EXPECT_EQ(with("", sealed.iv, kKey).error(), kFailed);
    EXPECT_EQ(with("!!!!" + d, sealed.iv, kKey).error(), kFailed);
    EXPECT_EQ(with(d + "\n", sealed.iv, kKey).error(), kFailed);
    EXPECT_EQ(with(d.substr(0, 10) + " " + d.substr(10), sealed.iv, kKey).error(), kFailed);
    EXPECT_EQ(with(d + "AAAA", sealed.iv, kKey).error(), kFailed);
    EXPECT_EQ(with(d, sealed.iv.substr(0, 22), kKey).error(), kFailed);  // padding stripped
    EXPECT_EQ(with(d, "%%%%%%%%%%%%%%%%%%%%%%==", kKey).error(), kFailed);
    EXPECT_EQ(with(d, sealed.iv, "nzoqhc3OnwHzeTxJs-inbQ==").error(), kFailed);  // URL-safe alphabet
    EXPECT_EQ(with(d, sealed.iv, "").error(), kFailed);
    // The intact inputs do decrypt: each failure above is the mangling's.
    EXPECT_TRUE(with(d, sealed.iv, kKey));
}

TEST(OpenData, WrongLengthsFail) {
    auto sealed = encrypt_open_data(kKey, phone_json());
    std::vector<unsigned char> twelve(12, 7);
    std::vector<unsigned char> seventeen(17, 7);
    std::vector<unsigned char> thirty_two(32, 7);
    EXPECT_EQ(decrypt_phone_number(kKey, sealed.encrypted_data, b64(twelve), kApp).error(), kFailed);
    EXPECT_EQ(decrypt_phone_number(kKey, sealed.encrypted_data, b64(seventeen), kApp).error(), kFailed);
    EXPECT_EQ(decrypt_phone_number(b64(thirty_two), sealed.encrypted_data, sealed.iv, kApp).error(), kFailed);
    EXPECT_EQ(decrypt_phone_number(b64(twelve), sealed.encrypted_data, sealed.iv, kApp).error(), kFailed);
}

TEST(OpenData, TruncatedCiphertextFails) {
    auto sealed = encrypt_open_data(kKey, phone_json());
    auto bytes = unb64(sealed.encrypted_data);
    ASSERT_GE(bytes.size(), 48u);
    auto cut = [&](std::size_t n) {
        std::vector<unsigned char> shorter(bytes.begin(), bytes.end() - static_cast<std::ptrdiff_t>(n));
        return decrypt_phone_number(kKey, b64(shorter), sealed.iv, kApp);
    };
    EXPECT_EQ(cut(1).error(), kFailed);   // not whole blocks
    EXPECT_EQ(cut(15).error(), kFailed);  // not whole blocks
    EXPECT_EQ(cut(16).error(), kFailed);  // whole blocks, but the last one is JSON, not padding
    EXPECT_EQ(cut(bytes.size()).error(), kFailed);
}

TEST(OpenData, GarbageCiphertextFails) {
    std::vector<unsigned char> garbage(64);
    for (int i = 0; i < 20; ++i) {
        randombytes_buf(garbage.data(), garbage.size());
        auto iv = encrypt_open_data(kKey, "x").iv;
        EXPECT_EQ(decrypt_phone_number(kKey, b64(garbage), iv, kApp).error(), kFailed);
    }
}

TEST(OpenData, OversizedCiphertextFails) {
    std::string huge = phone_json();
    huge.insert(1, R"("pad":")" + std::string(kMaxEncryptedData, 'x') + R"(",)");
    EXPECT_THROW((void)encrypt_open_data(kKey, huge), std::invalid_argument);
    std::string const too_long(kMaxEncryptedData + 4, 'A');
    EXPECT_EQ(decrypt_phone_number(kKey, too_long, encrypt_open_data(kKey, "x").iv, kApp).error(), kFailed);
}

TEST(OpenData, PaddingIsCheckedStrictly) {
    std::vector<unsigned char> const iv(16, 0x24);
    std::string const body = phone_json();
    // The JSON, then a last block laid out by hand.
    auto with_tail = [&](std::vector<unsigned char> const& pad) {
        std::vector<unsigned char> blocks(body.begin(), body.end());
        blocks.insert(blocks.end(), pad.begin(), pad.end());
        if (blocks.size() % 16 != 0) throw std::logic_error("test padding does not complete a block");
        return decrypt_phone_number(kKey, b64(encrypt_raw(kKey, iv, blocks)), b64(iv), kApp);
    };
    std::size_t const n = 16 - body.size() % 16;  // the correct padding length, 1..16
    auto pad = [](std::size_t len, unsigned char value) { return std::vector<unsigned char>(len, value); };
    auto const good = pad(n, static_cast<unsigned char>(n));
    ASSERT_TRUE(with_tail(good));  // the hand-made layout is right

    EXPECT_EQ(with_tail(pad(n, 0)).error(), kFailed);  // a zero pad byte
    if (n > 1) {
        auto inconsistent = good;
        inconsistent.front() = static_cast<unsigned char>(n - 1);  // only the last byte says n
        EXPECT_EQ(with_tail(inconsistent).error(), kFailed);
    }
    auto oversized = pad(n + 16, 17);  // a pad byte above the block size
    EXPECT_EQ(with_tail(oversized).error(), kFailed);
    auto spaces = pad(n, 0x20);  // the JSON is whole, but there is no padding
    EXPECT_EQ(with_tail(spaces).error(), kFailed);
}

TEST(OpenData, NonJsonPlaintextFails) {
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, "not json")).error(), kFailed);
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, "[1,2,3]")).error(), kFailed);
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, "")).error(), kFailed);
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, phone_json() + "}")).error(), kFailed);
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, "\"\xff\xfe\"")).error(), kFailed);  // not UTF-8
}

TEST(OpenData, MissingOrMistypedFieldsFail) {
    auto without = [](std::string_view key) {
        json::value v = json::parse(phone_json());
        v.as_object().erase(key);
        return json::serialize(v);
    };
    auto watermark_with = [](json::value appid, json::value timestamp) {
        json::value v = json::parse(phone_json());
        json::object wm;
        if (!appid.is_null()) wm["appid"] = appid;
        if (!timestamp.is_null()) wm["timestamp"] = timestamp;
        v.as_object()["watermark"] = std::move(wm);
        return json::serialize(v);
    };
    auto with_field = [](std::string_view key, json::value value) {
        json::value v = json::parse(phone_json());
        v.as_object()[key] = std::move(value);
        return json::serialize(v);
    };
    for (auto const* key : {"phoneNumber", "purePhoneNumber", "countryCode", "watermark"})
        EXPECT_EQ(decrypt(encrypt_open_data(kKey, without(key))).error(), kFailed) << key;
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, watermark_with(nullptr, 1))).error(), kFailed);
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, watermark_with(kApp, nullptr))).error(), kFailed);
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, watermark_with(kApp, "1700000000"))).error(), kFailed);
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, watermark_with(42, 1))).error(), kFailed);
    EXPECT_TRUE(decrypt(encrypt_open_data(kKey, watermark_with(kApp, 1))));
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, with_field("watermark", "wxA"))).error(), kFailed);
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, with_field("phoneNumber", ""))).error(), kFailed);
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, with_field("purePhoneNumber", 13812345678))).error(), kFailed);
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, with_field("countryCode", json::object{}))).error(), kFailed);
    EXPECT_EQ(decrypt(encrypt_open_data(kKey, with_field("countryCode", -1))).error(), kFailed);
}

TEST(OpenData, EncryptRejectsABadSessionKey) {
    EXPECT_THROW((void)encrypt_open_data("", "{}"), std::invalid_argument);
    EXPECT_THROW((void)encrypt_open_data("c2hvcnQ=", "{}"), std::invalid_argument);
    EXPECT_THROW((void)encrypt_open_data("not base64 at all!!!!!==", "{}"), std::invalid_argument);
}

TEST(OpenData, TheErrorSaysNothingAboutTheInput) {
    error_code ec = kFailed;
    EXPECT_EQ(ec.category(), open_data_category());
    EXPECT_STREQ(ec.category().name(), "wechat.open_data");
    EXPECT_EQ(ec.message(), "WeChat open data could not be decrypted");
}

}  // namespace
}  // namespace wx::wechat
