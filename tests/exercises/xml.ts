/**
 * A small XML 1.0 well-formedness checker (elements, attributes, character and entity
 * references, comments, the XML declaration): enough to prove that the JUnit report parses.
 * Returns the document as a tree.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
// Characters XML 1.0 allows (tab, newline, carriage return and above U+001F, minus surrogates and U+FFFE/F).
const BAD_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function parseXml(text: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    const line = text.slice(0, i).split("\n").length;
    throw new Error(`XML not well-formed at line ${line}: ${why}`);
  };
  if (BAD_CHAR.test(text)) fail("a character XML does not allow");
  const decode = (s: string): string =>
    s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (m, ref: string | undefined) => {
      if (!ref) return fail("a bare '&'");
      if (ref.startsWith("#x")) return String.fromCodePoint(parseInt(ref.slice(2), 16));
      if (ref.startsWith("#")) return String.fromCodePoint(parseInt(ref.slice(1), 10));
      return ENTITIES[ref] ?? fail(`unknown entity &${ref};`);
    });
  const skipSpace = () => {
    while (/\s/.test(text[i] ?? "")) i++;
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (text.startsWith("<!--", i)) {
        const end = text.indexOf("-->", i);
        if (end < 0) fail("unclosed comment");
        i = end + 3;
      } else if (text.startsWith("<?", i)) {
        const end = text.indexOf("?>", i);
        if (end < 0) fail("unclosed declaration");
        i = end + 2;
      } else return;
    }
  };
  const name = (): string => {
    const m = NAME.exec(text.slice(i));
    if (!m) fail("expected a name");
    i += m![0].length;
    return m![0];
  };
  const element = (): XmlElement => {
    if (text[i] !== "<") fail("expected '<'");
    i++;
    const el: XmlElement = { name: name(), attributes: {}, children: [], text: "" };
    for (;;) {
      skipSpace();
      if (text.startsWith("/>", i)) {
        i += 2;
        return el;
      }
      if (text[i] === ">") {
        i++;
        break;
      }
      const attr = name();
      skipSpace();
      if (text[i] !== "=") fail(`expected '=' after ${attr}`);
      i++;
      skipSpace();
      const quote = text[i];
      if (quote !== '"' && quote !== "'") fail("expected a quoted attribute value");
      const end = text.indexOf(quote, i + 1);
      if (end < 0) fail("unclosed attribute value");
      const raw = text.slice(i + 1, end);
      if (raw.includes("<")) fail("'<' in an attribute value");
      if (attr in el.attributes) fail(`duplicate attribute ${attr}`);
      el.attributes[attr] = decode(raw);
      i = end + 1;
    }
    for (;;) {
      const lt = text.indexOf("<", i);
      if (lt < 0) fail(`unclosed <${el.name}>`);
      const chunk = text.slice(i, lt);
      if (chunk.includes(">") && chunk.includes("]]>")) fail("']]>' in text");
      el.text += decode(chunk);
      i = lt;
      if (text.startsWith("</", i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipSpace();
        if (text[i] !== ">") fail("expected '>'");
        i++;
        return el;
      }
      if (text.startsWith("<!--", i)) {
        skipMisc();
        continue;
      }
      el.children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== text.length) fail("content after the root element");
  return root;
}
