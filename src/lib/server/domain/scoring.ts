/**
 * How well a job fits a person, from skills alone.
 *
 * Formula: the share of the job's skills that the person has,
 *   score = round(100 × |jobSkills ∩ userSkills| / |jobSkills|)
 * after both lists are normalised (trimmed, lowercase, duplicates removed). A job that lists no
 * skills scores 0: there is nothing to match on, so it is never recommended. Skills the person has
 * beyond what the job asks for neither raise nor lower the score.
 */

/** A job is recommended to a user whose score reaches this value. */
export const RECOMMENDATION_THRESHOLD = 60;

/** The result of matching one job against one person's skills. */
export interface SkillMatch {
	/** 0-100, see the module comment. */
	score: number;
	/** The job's skills the person has, in the job's order. */
	matched: string[];
	/** The job's skills the person lacks, in the job's order. */
	missing: string[];
}

/**
 * Text in lower case by JavaScript's Unicode rules, the same on every engine and locale: skill
 * names, and what the Jobs search compares (the jobs' `*_folded` columns, the typed words; see
 * migration 0012). One rule for both, since a search word is matched against skills too.
 */
export function foldCase(text: string): string {
	return text.toLowerCase();
}

/** Trim, lowercase (`foldCase`) and de-duplicate a list of skill names, dropping empty ones. */
export function normalizeSkills(skills: readonly string[]): string[] {
	const seen = new Set<string>();
	for (const skill of skills) {
		const name = foldCase(skill.trim());
		if (name) seen.add(name);
	}
	return [...seen];
}

/** Score a job's skills against a person's skills (both normalised here). */
export function scoreMatch(
	jobSkills: readonly string[],
	userSkills: readonly string[]
): SkillMatch {
	const wanted = normalizeSkills(jobSkills);
	const have = new Set(normalizeSkills(userSkills));
	const matched = wanted.filter((skill) => have.has(skill));
	const missing = wanted.filter((skill) => !have.has(skill));
	const score = wanted.length === 0 ? 0 : Math.round((100 * matched.length) / wanted.length);
	return { score, matched, missing };
}

/** Whether a score is high enough to recommend the job. */
export function isRecommended(score: number): boolean {
	return score >= RECOMMENDATION_THRESHOLD;
}

/** A one-line, plain-text explanation of a match, shown next to a recommendation. */
export function describeMatch(match: SkillMatch): string {
	const total = match.matched.length + match.missing.length;
	if (match.matched.length === 0) return 'None of your skills match this job yet.';
	const base = `Matches ${match.matched.length} of ${total} skills: ${match.matched.join(', ')}`;
	return match.missing.length === 0 ? `${base}.` : `${base}; missing ${match.missing.join(', ')}.`;
}
