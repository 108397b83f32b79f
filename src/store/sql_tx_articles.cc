// SqlTx, part 6: articles (with their delivery state for outgoing mail) and
// attachments.
#include "store/sql_tx.h"

namespace replydesk::store {

using domain::Article;
using domain::Attachment;
using util::ErrorCode;
using util::MakeError;

namespace {

constexpr domain::ArticleKind kArticleKinds[] = {
    domain::ArticleKind::kEmail, domain::ArticleKind::kNote, domain::ArticleKind::kPhone,
    domain::ArticleKind::kWeb};
constexpr domain::Direction kDirections[] = {
    domain::Direction::kInbound, domain::Direction::kOutbound, domain::Direction::kInternal};

#define RD_ARTICLE_COLUMNS                                                                    \
  "id, ticket_id, kind, direction, customer_id, sender_name, sender_address, to_addresses, "  \
  "cc_addresses, subject, message_id, in_reply_to, body_text, body_html_sha256, inbound_id, " \
  "flags, created_at, author_user_id, auto_reply, delivery_status, delivery_error, "          \
  "duration_seconds"

}  // namespace

Result<Article> SqlTx::CreateArticle(const Article& a) {
  const std::string flags = JoinLines(a.flags);
  Article out = a;
  out.id = 0;
  // PostgreSQL: the id taken ahead, the INSERT waits in the pipeline.
  if (conn_.backend() == Backend::kPostgres) {
    RD_ASSIGN_OR_RETURN(out.id, TakeId("articles", article_ids_));
  }
  const SqlParam params[] = {Int(a.ticket_id),
                             Text(domain::ArticleKindName(a.kind)),
                             Text(domain::DirectionName(a.direction)),
                             OptInt(a.customer_id),
                             Text(a.sender_name),
                             Text(a.sender_address),
                             Text(a.to),
                             Text(a.cc),
                             Text(a.subject),
                             Text(a.message_id),
                             Text(a.in_reply_to),
                             Text(a.body_text),
                             a.body_html_sha256 ? Text(*a.body_html_sha256) : Null(),
                             OptInt(a.inbound_id),
                             Text(flags),
                             Int(a.created_at),
                             OptInt(a.author_user_id),
                             Int(a.auto_reply ? 1 : 0),
                             Text(a.delivery_status),
                             Text(a.delivery_error),
                             Int(a.duration_seconds),
                             Int(out.id)};
  static constexpr char kInsert[] =
      "INSERT INTO articles (ticket_id, kind, direction, customer_id, sender_name, "
      "sender_address, to_addresses, cc_addresses, subject, message_id, in_reply_to, "
      "body_text, body_html_sha256, inbound_id, flags, created_at, author_user_id, "
      "auto_reply, delivery_status, delivery_error, duration_seconds";
  static constexpr char kValues[] = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
  std::span<const SqlParam> all(params);
  if (out.id != 0) {
    static const std::string kWithId = std::string(kInsert) + ", id) VALUES (" + kValues + ", ?)";
    RD_RETURN_IF_ERROR(conn_.Exec(kWithId, all));
    return out;
  }
  static const std::string kReturning =
      std::string(kInsert) + ") VALUES (" + kValues + ") RETURNING id";
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kReturning, all.first(all.size() - 1)));
  if (rows.empty()) return MakeError(ErrorCode::kInternal, "store.sql", "insert article: no id");
  out.id = rows.Int(0, 0);
  return out;
}

Result<std::vector<Article>> SqlTx::ListArticles(Id ticket_id) {
  // Within one second, in the order they were written: the worker processes
  // a batch in arrival order with a request before its replies
  // (InboundWorker), and what we write in answer comes after its cause.
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("SELECT " RD_ARTICLE_COLUMNS " FROM articles WHERE "
                                             "ticket_id = ? ORDER BY created_at, id",
                                             {Int(ticket_id)}));
  return ReadArticles(rows);
}

Result<std::vector<Article>> SqlTx::ReadArticles(Rows& rows) {
  std::vector<Article> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    Article& a = out[r];
    a.id = rows.Int(r, 0);
    a.ticket_id = rows.Int(r, 1);
    const std::string kind = rows.Text(r, 2);
    auto k = domain::ParseByName(kind, kArticleKinds, &domain::ArticleKindName);
    if (!k) return BadValue("article.kind", kind);
    a.kind = *k;
    const std::string direction = rows.Text(r, 3);
    auto d = domain::ParseByName(direction, kDirections, &domain::DirectionName);
    if (!d) return BadValue("article.direction", direction);
    a.direction = *d;
    a.customer_id = rows.OptInt(r, 4);
    a.sender_name = rows.TakeText(r, 5);
    a.sender_address = rows.TakeText(r, 6);
    a.to = rows.TakeText(r, 7);
    a.cc = rows.TakeText(r, 8);
    a.subject = rows.TakeText(r, 9);
    a.message_id = rows.TakeText(r, 10);
    a.in_reply_to = rows.TakeText(r, 11);
    a.body_text = rows.TakeText(r, 12);
    if (!rows.IsNull(r, 13)) a.body_html_sha256 = rows.TakeText(r, 13);
    a.inbound_id = rows.OptInt(r, 14);
    a.flags = SplitLines(rows.Text(r, 15));
    a.created_at = rows.Int(r, 16);
    a.author_user_id = rows.OptInt(r, 17);
    a.auto_reply = rows.Int(r, 18) != 0;
    a.delivery_status = rows.TakeText(r, 19);
    a.delivery_error = rows.TakeText(r, 20);
    a.duration_seconds = rows.Int(r, 21);
  }
  return out;
}

Result<Article> SqlTx::GetArticle(Id id) {
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query("SELECT " RD_ARTICLE_COLUMNS " FROM articles WHERE id = ?", {Int(id)}));
  RD_ASSIGN_OR_RETURN(auto list, ReadArticles(rows));
  if (list.empty()) return NotFound("article", id);
  return std::move(list.front());
}

Status SqlTx::SetArticleDelivery(Id article_id, const std::string& status,
                                 const std::string& error) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("UPDATE articles SET delivery_status = ?, "
                                             "delivery_error = ? WHERE id = ?",
                                             {Text(status), Text(error), Int(article_id)}));
  if (rows.affected() == 0) return NotFound("article", article_id);
  return util::OkStatus();
}

Result<Attachment> SqlTx::AddAttachment(const Attachment& a) {
  Attachment out = a;
  if (conn_.backend() == Backend::kPostgres) {
    // As for articles: the id taken ahead, the INSERT waits in the pipeline.
    RD_ASSIGN_OR_RETURN(out.id, TakeId("attachments", attachment_ids_));
    RD_RETURN_IF_ERROR(
        conn_.Exec("INSERT INTO attachments (id, article_id, filename, content_type, size, sha256, "
                   "content_id, inline_part) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   {Int(out.id), Int(a.article_id), Text(a.filename), Text(a.content_type),
                    Int(a.size), Text(a.sha256), Text(a.content_id), Int(a.inline_part ? 1 : 0)}));
    return out;
  }
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query("INSERT INTO attachments (article_id, filename, content_type, size, sha256, "
                  "content_id, inline_part) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  {Int(a.article_id), Text(a.filename), Text(a.content_type), Int(a.size),
                   Text(a.sha256), Text(a.content_id), Int(a.inline_part ? 1 : 0)}));
  if (rows.empty()) return MakeError(ErrorCode::kInternal, "store.sql", "insert attachment: no id");
  out.id = rows.Int(0, 0);
  return out;
}

namespace {

#define RD_ATTACHMENT_COLUMNS                                                                  \
  "SELECT id, article_id, filename, content_type, size, sha256, content_id, inline_part FROM " \
  "attachments "

std::vector<Attachment> ReadAttachments(Rows& rows) {
  std::vector<Attachment> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    out[r] =
        Attachment{rows.Int(r, 0), rows.Int(r, 1),      rows.TakeText(r, 2), rows.TakeText(r, 3),
                   rows.Int(r, 4), rows.TakeText(r, 5), rows.TakeText(r, 6), rows.Int(r, 7) != 0};
  }
  return out;
}

}  // namespace

Result<std::vector<Attachment>> SqlTx::ListAttachments(Id article_id) {
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query(RD_ATTACHMENT_COLUMNS "WHERE article_id = ? ORDER BY id", {Int(article_id)}));
  return ReadAttachments(rows);
}

Result<Attachment> SqlTx::GetAttachment(Id id) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(RD_ATTACHMENT_COLUMNS "WHERE id = ?", {Int(id)}));
  if (rows.empty()) return NotFound("attachment", id);
  return std::move(ReadAttachments(rows).front());
}

}  // namespace replydesk::store
