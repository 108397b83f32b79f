// The vocabulary of the reply trimmer (reply_trimmer_patterns.cc): how mail
// clients word attributions, "original message" separators, Outlook header
// fields and mobile footers, per language. All folded (FoldCase: lower case,
// Romanian comma forms), so each is written once. Add a client's wording
// here together with a test in tests/unit/mail/reply_trimmer_test.cc.
#pragma once

#include <array>
#include <string_view>

namespace replydesk::mail::reply_trim::phrases {

using std::string_view_literals::operator""sv;

// Attribution verbs as they end the line ("... wrote:", "... a écrit :").
inline constexpr std::array kTrailingVerbs = {
    "wrote"sv,    "a écrit"sv,  "écrit"sv,      "schrieb"sv,     "escribió"sv,  "ha escrito"sv,
    "scritto"sv,  "escreveu"sv, "schreef"sv,    "skrev"sv,       "kirjoitti"sv, "napisał"sv,
    "napisała"sv, "pisze"sv,    "napisał(a)"sv, "написал"sv,     "написала"sv,  "написал(а)"sv,
    "пишет"sv,    "написа"sv,   "a scris"sv,    "yazdı"sv,       "írta"sv,      "napsal"sv,
    "napísal"sv,  "写道"sv,     "작성"sv,       "のメッセージ"sv};

// Verbs in the middle: "Am 13.12.2017 schrieb John <j@x.de>:", "Op ... schreef
// Jan <jan@x.nl>:", "Den ... skrev Per <per@x.se>:".
inline constexpr std::array kInnerVerbs = {" schrieb "sv,   " schreef "sv, " skrev "sv,
                                           " wrote "sv,     " napisał "sv, " написал "sv,
                                           " написал(а) "sv};

// How attributions begin, so a wrapped one can be found from its last line.
inline constexpr std::array kOpeners = {
    "on"sv,  "le"sv, "el"sv, "il"sv,      "em"sv,        "am"sv, "op"sv, "w dniu"sv, "dnia"sv,
    "den"sv, "pe"sv, "în"sv, "in data"sv, "il giorno"sv, "в"sv,  "на"sv, "el día"sv, "在"sv};

inline constexpr std::array kOriginalMessage = {
    "original message"sv,        "original-nachricht"sv,
    "ursprüngliche nachricht"sv, "message d'origine"sv,
    "message original"sv,        "mensaje original"sv,
    "messaggio originale"sv,     "mensagem original"sv,
    "oorspronkelijk bericht"sv,  "origineel bericht"sv,
    "ursprungligt meddelande"sv, "oprindelig besked"sv,
    "oprindelig meddelelse"sv,   "opprinnelig melding"sv,
    "alkuperäinen viesti"sv,     "wiadomość oryginalna"sv,
    "oryginalna wiadomość"sv,    "původní zpráva"sv,
    "eredeti üzenet"sv,          "исходное сообщение"sv,
    "исходное письмо"sv,         "оригинално съобщение"sv,
    "оригинално писмо"sv,        "оригінальне повідомлення"sv,
    "mesaj original"sv,          "mesajul original"sv,
    "orijinal mesaj"sv,          "原始邮件"sv,
    "元のメッセージ"sv};

// Forwarded messages stay visible: they are what the sender wants us to read.
inline constexpr std::array kForwarded = {
    "forwarded message"sv,          "begin forwarded message"sv,
    "weitergeleitete nachricht"sv,  "message transféré"sv,
    "début du message réexpédié"sv, "mensaje reenviado"sv,
    "messaggio inoltrato"sv,        "mensagem encaminhada"sv,
    "doorgestuurd bericht"sv,       "videresendt besked"sv,
    "videresendt melding"sv,        "vidarebefordrat meddelande"sv,
    "välitetty viesti"sv,           "przekazana wiadomość"sv,
    "пересылаемое сообщение"sv,     "пересланное сообщение"sv,
    "препратено съобщение"sv,       "препратено писмо"sv,
    "mesaj redirecționat"sv,        "mesaj transmis"sv};

inline constexpr std::array kFromFields = {
    "from"sv,     "von"sv,     "de la"sv,       "de"sv,        "van"sv,       "da"sv,
    "fra"sv,      "från"sv,    "od"sv,          "от"sv,        "від"sv,       "lähettäjä"sv,
    "kimden"sv,   "feladó"sv,  "afzender"sv,    "remitente"sv, "mittente"sv,  "expéditeur"sv,
    "absender"sv, "nadawca"sv, "отправитель"sv, "подател"sv,   "expeditor"sv, "发件人"sv,
    "寄件者"sv,   "差出人"sv};

inline constexpr std::array kOtherFields = {
    "sent"sv,       "date"sv,       "message du"sv, "to"sv,         "cc"sv,
    "bcc"sv,        "subject"sv,    "reply-to"sv,   "gesendet"sv,   "datum"sv,
    "an"sv,         "betreff"sv,    "envoyé le"sv,  "envoyé"sv,     "à"sv,
    "objet"sv,      "enviado el"sv, "enviado"sv,    "enviada"sv,    "fecha"sv,
    "para"sv,       "asunto"sv,     "assunto"sv,    "inviato"sv,    "data"sv,
    "a"sv,          "oggetto"sv,    "verzonden"sv,  "aan"sv,        "onderwerp"sv,
    "skickat"sv,    "till"sv,       "ämne"sv,       "sendt"sv,      "dato"sv,
    "til"sv,        "emne"sv,       "lähetetty"sv,  "päivämäärä"sv, "vastaanottaja"sv,
    "aihe"sv,       "wysłano"sv,    "wysłane"sv,    "do"sv,         "temat"sv,
    "отправлено"sv, "дата"sv,       "кому"sv,       "тема"sv,       "копия"sv,
    "изпратено"sv,  "до"sv,         "относно"sv,    "копие"sv,      "trimis"sv,
    "dată"sv,       "către"sv,      "subiect"sv,    "odesláno"sv,   "komu"sv,
    "předmět"sv,    "gönderildi"sv, "tarih"sv,      "kime"sv,       "konu"sv,
    "发送时间"sv,   "收件人"sv,     "主题"sv,       "日期"sv};

inline constexpr std::array kMobileFooters = {
    "sent from "sv,          "sent with "sv,
    "sent via "sv,           "get outlook for "sv,
    "von meinem "sv,         "gesendet von "sv,
    "gesendet mit "sv,       "sendt fra "sv,
    "skickat från "sv,       "lähetetty "sv,
    "envoyé de mon "sv,      "envoyé depuis "sv,
    "envoyé à partir de "sv, "télécharger outlook pour "sv,
    "enviado desde "sv,      "enviado de mi "sv,
    "enviado do meu "sv,     "inviato da "sv,
    "inviato dal mio "sv,    "verzonden vanaf "sv,
    "verzonden met "sv,      "verstuurd vanaf "sv,
    "verstuurd met "sv,      "wysłane z "sv,
    "odesláno z "sv,         "отправлено с "sv,
    "отправлено со "sv,      "отправлено из "sv,
    "изпратено от "sv,       "изпратено с "sv,
    "trimis de pe "sv,       "trimis din "sv,
    "trimis cu "sv};

}  // namespace replydesk::mail::reply_trim::phrases
