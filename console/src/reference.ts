// Districts and rivers (names in both languages), loaded once and shared by every page.
import { gql } from "./api";

export interface Named { code: string; name: string; nameEn: string }
let cache: Promise<{ districts: Named[]; rivers: Named[] }> | null = null;

export function reference() {
  cache ??= gql<{ districts: Named[]; rivers: Named[] }>(
    "{ districts { code name nameEn } rivers { code name nameEn } }");
  return cache;
}
