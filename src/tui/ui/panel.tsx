import { Box, Text } from "ink";
import { Children, type ReactNode } from "react";

/** A titled panel of fixed size: an inverse title line, then exactly `height` content lines. */
export function Panel(props: { title: string; width: number; height: number; children?: ReactNode }) {
  const title = ` ${props.title} `;
  return (
    <Box flexDirection="column" width={props.width} height={props.height + 1} overflow="hidden">
      <Text inverse wrap="truncate-end">
        {title.padEnd(props.width)}
      </Text>
      <Box flexDirection="column" height={props.height} overflow="hidden">
        {/* Only what fits: yoga would shrink the first lines to make room for the last. */}
        {Children.toArray(props.children).slice(0, props.height)}
      </Box>
    </Box>
  );
}

/** One line that never wraps. */
export function Line(props: { children?: ReactNode; color?: string; bold?: boolean; dim?: boolean }) {
  return (
    <Text wrap="truncate-end" color={props.color} bold={props.bold} dimColor={props.dim}>
      {props.children ?? " "}
    </Text>
  );
}

export const hex = (n: number | bigint) => n.toString(16);
