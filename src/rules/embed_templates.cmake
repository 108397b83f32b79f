# Compiles the shipped templates in: writes OUTPUT, a C++ file holding every
# INPUT_DIR/*.mustache as a raw string literal, for default_templates.cc.
# Run by the build (cmake -P) whenever a template or this script changes.
# Usage: cmake -DINPUT_DIR=... -DOUTPUT=... -P embed_templates.cmake
file(GLOB files RELATIVE "${INPUT_DIR}" "${INPUT_DIR}/*.mustache")
list(SORT files)
set(delimiter "rd_template")
set(out "// Generated from src/rules/templates/*.mustache by src/rules/embed_templates.cmake.\n")
string(APPEND out "#include \"rules/embedded_templates.h\"\n\nnamespace replydesk::rules {\nnamespace {\n\n")
string(APPEND out "constexpr EmbeddedTemplate kTemplates[] = {\n")
foreach(f IN LISTS files)
  file(READ "${INPUT_DIR}/${f}" text)
  string(FIND "${text}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${f} contains )${delimiter}\" and cannot be embedded")
  endif()
  string(APPEND out "    {\"${f}\",\n     R\"${delimiter}(${text})${delimiter}\"},\n")
endforeach()
string(APPEND out "};\n\n}  // namespace\n\n")
string(APPEND out "std::span<const EmbeddedTemplate> EmbeddedTemplates() { return kTemplates; }\n\n")
string(APPEND out "}  // namespace replydesk::rules\n")
# Rewrite only on change, so an unrelated reconfigure does not recompile.
file(WRITE "${OUTPUT}.tmp" "${out}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
