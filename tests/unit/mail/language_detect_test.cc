// Language detection on the kind of messages our customers write: a few
// sentences in Russian, Bulgarian, Romanian (often without diacritics) or
// English, product names in Latin letters, quoted history, signatures.
#include "mail/language_detect.h"

#include <gtest/gtest.h>

#include <string>

namespace replydesk::mail {
namespace {

TEST(LanguageDetectTest, Russian) {
  EXPECT_EQ(DetectLanguage("Здравствуйте! После вчерашнего обновления не могу войти в личный "
                           "кабинет: пишет, что пароль неверный, хотя я его не менял. Подскажите, "
                           "пожалуйста, что делать? Заказ нужно оформить до пятницы."),
            "ru");
  EXPECT_EQ(DetectLanguage("Добрый день, подскажите, пожалуйста, как изменить реквизиты компании "
                           "в счёте? Бухгалтерия не принимает счёт со старым адресом."),
            "ru");
  EXPECT_EQ(DetectLanguage("Здравствуйте, когда будет доставлен мой заказ?"), "ru");
}

TEST(LanguageDetectTest, Bulgarian) {
  EXPECT_EQ(DetectLanguage("Здравейте! След вчерашното обновяване не мога да вляза в профила си: "
                           "пише, че паролата е грешна, въпреки че не съм я сменял. Бихте ли ми "
                           "казали какво да направя? Трябва да направя поръчката до петък."),
            "bg");
  EXPECT_EQ(DetectLanguage("Здравейте, кажете ми как да променя данните на фирмата във "
                           "фактурата? Счетоводството не приема фактура със стария адрес."),
            "bg");
  EXPECT_EQ(DetectLanguage("Здравейте, кога ще бъде доставена поръчката ми?"), "bg");
}

// The same request in both languages: shared words (пароль/парола, заказ,
// счёт/сметка) must not tip Bulgarian over to Russian.
TEST(LanguageDetectTest, BulgarianAndRussianApart) {
  const std::string ru =
      "Добрый день. Мы оплатили счёт ещё в понедельник, но доступ к системе до сих пор "
      "заблокирован. Проверьте, пожалуйста, поступила ли оплата.";
  const std::string bg =
      "Добър ден. Платихме сметката още в понеделник, но достъпът до системата все още е "
      "блокиран. Моля, проверете дали плащането е постъпило.";
  EXPECT_EQ(DetectLanguage(ru), "ru");
  EXPECT_EQ(DetectLanguage(bg), "bg");
}

TEST(LanguageDetectTest, RomanianWithAndWithoutDiacritics) {
  EXPECT_EQ(DetectLanguage("Bună ziua! După actualizarea de ieri nu mă mai pot autentifica în "
                           "contul meu: îmi spune că parola este greșită, deși nu am schimbat-o. "
                           "Vă rog să îmi spuneți ce trebuie să fac."),
            "ro");
  EXPECT_EQ(DetectLanguage("Buna ziua! Dupa actualizarea de ieri nu ma mai pot autentifica in "
                           "contul meu: imi spune ca parola este gresita, desi nu am schimbat-o. "
                           "Va rog sa imi spuneti ce trebuie sa fac."),
            "ro");
  // Cedilla forms (ş ţ) as typed on old Windows keyboard layouts.
  EXPECT_EQ(DetectLanguage("Bună ziua, nu am primit factura pe luna octombrie. Vă rog să mi-o "
                           "retrimiteţi, plata trebuie făcută până vineri. Mulţumesc!"),
            "ro");
  EXPECT_EQ(DetectLanguage("Salut, nu am primit factura pe octombrie. O puteti retrimite?"), "ro");
}

TEST(LanguageDetectTest, English) {
  EXPECT_EQ(DetectLanguage("Hello, since yesterday's update I can't log in to my account: it says "
                           "the password is wrong, although I haven't changed it. Could you "
                           "please tell me what to do?"),
            "en");
}

// Without dropping the Latin words CLD2 scores them as unknown runs and calls
// the Russian and Bulgarian texts unreliable (79% and 77% of the letters).
TEST(LanguageDetectTest, ProductNamesInLatinLetters) {
  EXPECT_EQ(DetectLanguage("Добрый день! У нас не работает интеграция с Microsoft Teams и Google "
                           "Workspace после обновления Replydesk до версии 2.4. Уведомления в "
                           "Slack тоже перестали приходить. Проверьте, пожалуйста."),
            "ru");
  EXPECT_EQ(DetectLanguage("Здравейте, интеграцията с Microsoft Teams и Google Workspace спря да "
                           "работи след обновяването на Replydesk до версия 2.4. Известията в "
                           "Slack също не пристигат. Моля, проверете."),
            "bg");
  EXPECT_EQ(DetectLanguage("Bună ziua, integrarea cu Microsoft Teams și Google Workspace nu mai "
                           "funcționează după actualizarea Replydesk la versiunea 2.4. Nici "
                           "notificările din Slack nu mai sosesc."),
            "ro");
  EXPECT_EQ(DetectLanguage("Buna ziua, integrarea cu Microsoft Teams si Google Workspace nu mai "
                           "functioneaza dupa actualizarea Replydesk la versiunea 2.4. Nici "
                           "notificarile din Slack nu mai sosesc."),
            "ro");
}

TEST(LanguageDetectTest, QuotedHistoryAndSignatureIgnored) {
  const std::string reply =
      "Здравейте, благодаря за бързия отговор. Сега всичко работи нормално.\n"
      "\n"
      "На 24.11.2026 в 10:15 Поддръжка <support@example.com> написа:\n"
      "> Здравствуйте! Мы проверили Ваш аккаунт и сбросили пароль. Новый пароль\n"
      "> отправлен на адрес, указанный при регистрации. Если письмо не пришло,\n"
      ">> проверьте, пожалуйста, папку «Спам» и напишите нам ещё раз. Мы всегда\n"
      "  > рады помочь и ответим в течение рабочего дня.\n"
      "\n"
      "-- \n"
      "Иван Петров, главный бухгалтер\n"
      "ООО «Ромашка», тел. +7 495 123-45-67, доб. 112, мобильный, факс, почта\n";
  EXPECT_EQ(DetectLanguage(reply), "bg");
}

TEST(LanguageDetectTest, TooShortOrNoWords) {
  EXPECT_EQ(DetectLanguage(""), "");
  EXPECT_EQ(DetectLanguage("ok"), "");
  EXPECT_EQ(DetectLanguage("Спасибо!"), "");
  EXPECT_EQ(DetectLanguage("Благодаря!"), "");
  EXPECT_EQ(DetectLanguage("Mulțumesc!"), "");
  EXPECT_EQ(DetectLanguage("Моля, обадете ми се"), "");  // CLD2 alone says Serbian
  EXPECT_EQ(DetectLanguage("Да, конечно"), "");          // CLD2 alone says Macedonian
  EXPECT_EQ(DetectLanguage("+359 2 123 4567, 24.11.2026 10:15, 2.4.1-rc3 #12345"), "");
  EXPECT_EQ(DetectLanguage("https://example.com/tickets/12345 ivan.petrov@example.com"), "");
  EXPECT_EQ(DetectLanguage("> Здравствуйте! Мы проверили Ваш аккаунт и сбросили пароль.\n"), "");
}

TEST(LanguageDetectTest, InvalidUtf8DropsOnlyTheBrokenWord) {
  std::string text =
      "Здравствуйте! После вчерашнего обновления не могу войти в личный кабинет: пишет, что "
      "пароль неверный. Подскажите, \xD0 пожалуйста, что \xFF\xFE делать?";
  EXPECT_EQ(DetectLanguage(text), "ru");
  EXPECT_EQ(DetectLanguage(std::string("\xC0\xAF\xED\xA0\x80\xF4\x90\x80\x80", 9)), "");
  EXPECT_EQ(DetectLanguage(std::string(30, '\0')), "");
}

TEST(LanguageDetectTest, LongTextLooksAtTheStart) {
  std::string sentence =
      "Bună ziua, nu am primit factura pe luna octombrie și vă rog să mi-o retrimiteți. ";
  std::string text;
  while (text.size() < 2 * kLanguageDetectMaxScan) text += sentence;
  EXPECT_EQ(DetectLanguage(text), "ro");
}

}  // namespace
}  // namespace replydesk::mail
