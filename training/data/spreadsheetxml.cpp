#include "data/spreadsheetxml.h"

#include "core/error.h"

#include <cstring>

namespace pairtune {

void parseWorkbookXml(
    pugi::xml_document &document, std::string &content, const std::string &path, const std::string &part)
{
    const pugi::xml_parse_result result = document.load_buffer_inplace(
        content.data(), content.size(), pugi::parse_default | pugi::parse_ws_pcdata, pugi::encoding_utf8);
    if (!result)
        throw Error(locate(path, 0, 0,
            part + " is not well-formed XML (" + result.description() + " at byte "
                + std::to_string(result.offset) + "); the file is damaged: open it in Excel or LibreOffice "
                + "and save it again"));
}

std::string_view localName(const char *name)
{
    const char *colon = std::strrchr(name, ':');
    return colon ? std::string_view(colon + 1) : std::string_view(name);
}

pugi::xml_node firstChild(const pugi::xml_node &node, std::string_view name)
{
    for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
        if (child.type() == pugi::node_element && localName(child.name()) == name)
            return child;
    }
    return {};
}

const char *attributeValue(const pugi::xml_node &node, std::string_view name)
{
    for (pugi::xml_attribute attribute = node.first_attribute(); attribute;
         attribute = attribute.next_attribute()) {
        if (localName(attribute.name()) == name)
            return attribute.value();
    }
    return "";
}

} // namespace pairtune
