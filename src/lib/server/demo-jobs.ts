/**
 * The demo seed's jobs: a dozen written by hand (the demo accounts' applications and
 * notifications name them) and enough generated ones that search, filters and paging are worth
 * trying. Generated from a fixed seed by a small PRNG, so every fresh database holds the same
 * jobs in the same order: tests and screenshots can rely on them.
 */
import { mulberry32, pick } from '$lib/random';
import type { JobRecord } from './domain/jobs';
import type { WorkMode } from '$lib/job-search';

/** One demo job, posted `daysAgo` days before the seed runs. */
export type DemoJob = Omit<JobRecord, 'id' | 'url' | 'created_at'> & { daysAgo: number };

/** How many jobs the generator adds to the hand-written ones. */
export const GENERATED_JOB_COUNT = 52;

const HAND_WRITTEN: DemoJob[] = [
	{
		title: 'Senior Software Engineer',
		company: 'Tech Corp',
		location: 'Remote',
		work_mode: 'remote',
		salary_range: '$150,000 - $180,000',
		description:
			'Lead the team that builds our real-time collaboration features, from the WebSocket layer to the UI.',
		skills: ['typescript', 'svelte', 'node', 'websockets', 'sql'],
		daysAgo: 1
	},
	{
		title: 'Frontend Engineer',
		company: 'Brightline Labs',
		location: 'Berlin, Germany',
		work_mode: 'hybrid',
		salary_range: '€70,000 - €85,000',
		description: 'Build accessible dashboards for energy grid operators.',
		skills: ['typescript', 'svelte', 'css', 'javascript'],
		daysAgo: 2
	},
	{
		title: 'Full-Stack Developer',
		company: 'Northwind Traders',
		location: 'Austin, TX',
		work_mode: 'onsite',
		salary_range: '$120,000 - $140,000',
		description: 'Own features end to end in our order management platform.',
		skills: ['javascript', 'node', 'sql', 'react', 'docker'],
		daysAgo: 4
	},
	{
		title: 'Real-time Platform Engineer',
		company: 'Streamline',
		location: 'Remote (EU)',
		work_mode: 'remote',
		salary_range: null,
		description: 'Scale our event delivery pipeline to millions of concurrent connections.',
		skills: ['websockets', 'node', 'redis', 'kubernetes', 'go'],
		daysAgo: 6
	},
	{
		title: 'Data Scientist',
		company: 'Acme Analytics',
		location: 'New York, NY',
		work_mode: 'onsite',
		salary_range: '$135,000 - $160,000',
		description: 'Model customer churn and design experiments with the product team.',
		skills: ['python', 'ml', 'statistics', 'sql', 'pandas'],
		daysAgo: 3
	},
	{
		title: 'Machine Learning Engineer',
		company: 'Cobalt AI',
		location: 'San Francisco, CA',
		work_mode: 'hybrid',
		salary_range: '$170,000 - $210,000',
		description: 'Train and serve ranking models for our search product.',
		skills: ['python', 'pytorch', 'ml', 'docker', 'kubernetes'],
		daysAgo: 5
	},
	{
		title: 'Data Engineer',
		company: 'Riverbank Financial',
		location: 'Chicago, IL',
		work_mode: 'onsite',
		salary_range: '$125,000 - $150,000',
		description: 'Build reliable batch and streaming pipelines for risk reporting.',
		skills: ['python', 'sql', 'airflow', 'spark'],
		daysAgo: 2
	},
	{
		title: 'Analytics Engineer',
		company: 'Harbor Health',
		location: 'Remote (US)',
		work_mode: 'remote',
		salary_range: '$110,000 - $130,000',
		description: 'Turn raw clinical operations data into trusted models and dashboards.',
		skills: ['sql', 'dbt', 'python', 'data'],
		daysAgo: 7
	},
	{
		title: 'Backend Engineer (Node.js)',
		company: 'Parcelpoint',
		location: 'Toronto, Canada',
		work_mode: 'onsite',
		salary_range: 'CA$120,000 - CA$145,000',
		description: 'Design the APIs that route a million parcels a day.',
		skills: ['node', 'typescript', 'postgresql', 'graphql'],
		daysAgo: 8
	},
	{
		title: 'iOS Developer',
		company: 'Lumen Mobile',
		location: 'London, UK',
		work_mode: 'onsite',
		salary_range: '£65,000 - £80,000',
		description: 'Ship the next version of our meditation app.',
		skills: ['swift', 'ios', 'objective-c'],
		daysAgo: 9
	},
	{
		title: 'DevOps Engineer',
		company: 'Cloudnine Systems',
		location: 'Remote',
		work_mode: 'remote',
		salary_range: '$130,000 - $155,000',
		description: 'Automate our infrastructure and keep deploys boring.',
		skills: ['kubernetes', 'terraform', 'aws', 'docker'],
		daysAgo: 10
	},
	{
		title: 'Product Designer',
		company: 'Pinecone Studio',
		location: 'Lisbon, Portugal',
		work_mode: 'hybrid',
		salary_range: null,
		description: 'Shape the experience of tools used by small farm cooperatives.',
		skills: ['figma', 'prototyping', 'user research'],
		daysAgo: 12
	}
];

/** A kind of role: its title, the skills it always asks for, some it may ask for, its pay band. */
interface Role {
	title: string;
	core: string[];
	extra: string[];
	/** Yearly pay in thousands of US dollars: low end of the band's start, its width. */
	pay: [number, number];
	/** What the team does, completed by the company's field. */
	work: string;
	/** Whether the title takes a seniority level ("Senior Backend Engineer"). */
	levelled: boolean;
}

const ROLES: Role[] = [
	{
		title: 'Frontend Developer',
		core: ['javascript', 'css'],
		extra: ['typescript', 'svelte', 'react', 'vue', 'accessibility', 'html'],
		pay: [95, 30],
		work: 'Build fast, accessible interfaces',
		levelled: true
	},
	{
		title: 'Senior Frontend Engineer',
		core: ['typescript', 'css'],
		extra: ['svelte', 'react', 'accessibility', 'graphql', 'testing'],
		pay: [140, 35],
		work: 'Lead the web client',
		levelled: false
	},
	{
		title: 'Backend Engineer',
		core: ['sql'],
		extra: ['node', 'go', 'postgresql', 'redis', 'kafka', 'typescript', 'java'],
		pay: [120, 35],
		work: 'Design and run the services behind our product',
		levelled: true
	},
	{
		title: 'Full-Stack Engineer',
		core: ['typescript', 'node'],
		extra: ['svelte', 'react', 'sql', 'postgresql', 'docker', 'graphql'],
		pay: [115, 35],
		work: 'Ship features end to end',
		levelled: true
	},
	{
		title: 'Site Reliability Engineer',
		core: ['kubernetes', 'linux'],
		extra: ['terraform', 'aws', 'go', 'prometheus', 'docker'],
		pay: [135, 40],
		work: 'Keep our platform fast and available',
		levelled: true
	},
	{
		title: 'Data Analyst',
		core: ['sql'],
		extra: ['python', 'statistics', 'tableau', 'excel', 'data'],
		pay: [80, 25],
		work: 'Answer the questions that steer the business',
		levelled: true
	},
	{
		title: 'Machine Learning Scientist',
		core: ['python', 'ml'],
		extra: ['pytorch', 'statistics', 'pandas', 'spark', 'sql'],
		pay: [160, 50],
		work: 'Research and deploy models',
		levelled: true
	},
	{
		title: 'Data Platform Engineer',
		core: ['python', 'sql'],
		extra: ['spark', 'airflow', 'kafka', 'dbt', 'aws'],
		pay: [130, 35],
		work: 'Build the pipelines every team depends on',
		levelled: true
	},
	{
		title: 'Android Developer',
		core: ['kotlin', 'android'],
		extra: ['java', 'testing', 'graphql'],
		pay: [110, 30],
		work: 'Build our Android app',
		levelled: true
	},
	{
		title: 'Security Engineer',
		core: ['security'],
		extra: ['linux', 'go', 'python', 'aws', 'kubernetes'],
		pay: [145, 40],
		work: 'Find and fix weaknesses before anyone else does',
		levelled: true
	},
	{
		title: 'QA Automation Engineer',
		core: ['testing'],
		extra: ['javascript', 'typescript', 'python', 'playwright', 'ci'],
		pay: [90, 25],
		work: 'Make releases safe with automated tests',
		levelled: true
	},
	{
		title: 'Engineering Manager',
		core: ['leadership'],
		extra: ['typescript', 'node', 'hiring', 'agile', 'kubernetes'],
		pay: [170, 45],
		work: 'Grow a team of eight engineers',
		levelled: false
	},
	{
		title: 'UX Researcher',
		core: ['user research'],
		extra: ['figma', 'prototyping', 'statistics', 'accessibility'],
		pay: [95, 25],
		work: 'Learn what our users need',
		levelled: true
	},
	{
		title: 'Realtime Systems Engineer',
		core: ['websockets'],
		extra: ['node', 'go', 'redis', 'typescript', 'postgresql'],
		pay: [140, 40],
		work: 'Deliver live updates to millions of devices',
		levelled: true
	}
];

/** Title prefixes and how they move the role's pay band. */
const LEVELS: { prefix: string; pay: number }[] = [
	{ prefix: '', pay: 1 },
	{ prefix: 'Junior ', pay: 0.7 },
	{ prefix: 'Senior ', pay: 1.2 },
	{ prefix: 'Staff ', pay: 1.4 },
	{ prefix: 'Lead ', pay: 1.3 }
];

const COMPANIES: { name: string; field: string }[] = [
	{ name: 'Asterisk Health', field: 'for hospital teams' },
	{ name: 'Bluefin Logistics', field: 'for freight carriers' },
	{ name: 'Copperleaf Energy', field: 'for solar farms' },
	{ name: 'Driftwood Games', field: 'for a multiplayer game' },
	{ name: 'Evergreen Bank', field: 'for retail banking' },
	{ name: 'Foxglove Media', field: 'for a streaming service' },
	{ name: 'Granite Insurance', field: 'for claims handling' },
	{ name: 'Helix Biotech', field: 'for lab research' },
	{ name: 'Ironbark Robotics', field: 'for warehouse robots' },
	{ name: 'Juniper Travel', field: 'for trip planning' },
	{ name: 'Kestrel Security', field: 'for identity protection' },
	{ name: 'Lighthouse Education', field: 'for online classrooms' },
	{ name: 'Meridian Maps', field: 'for navigation' },
	{ name: 'Nimbus Cloud', field: 'for developer infrastructure' },
	{ name: 'Orchard Retail', field: 'for grocery stores' },
	{ name: 'Pebble Payments', field: 'for small businesses' }
];

/** Where a job is, and how: remote ones name the region they hire in. */
const PLACES: { location: string; work_mode: WorkMode; currency: 'USD' | 'EUR' | 'GBP' }[] = [
	{ location: 'Remote', work_mode: 'remote', currency: 'USD' },
	{ location: 'Remote (US)', work_mode: 'remote', currency: 'USD' },
	{ location: 'Remote (EU)', work_mode: 'remote', currency: 'EUR' },
	{ location: 'New York, NY', work_mode: 'hybrid', currency: 'USD' },
	{ location: 'Seattle, WA', work_mode: 'onsite', currency: 'USD' },
	{ location: 'Denver, CO', work_mode: 'hybrid', currency: 'USD' },
	{ location: 'Boston, MA', work_mode: 'onsite', currency: 'USD' },
	{ location: 'Amsterdam, Netherlands', work_mode: 'hybrid', currency: 'EUR' },
	{ location: 'Berlin, Germany', work_mode: 'onsite', currency: 'EUR' },
	{ location: 'Madrid, Spain', work_mode: 'hybrid', currency: 'EUR' },
	{ location: 'London, UK', work_mode: 'hybrid', currency: 'GBP' },
	{ location: 'Manchester, UK', work_mode: 'onsite', currency: 'GBP' }
];

/** Rough pay level of each currency's market against the US band. */
const CURRENCY = {
	USD: { sign: '$', factor: 1 },
	EUR: { sign: '€', factor: 0.6 },
	GBP: { sign: '£', factor: 0.55 }
} as const;

/** `count` distinct items of `items`, in their original order. */
function sample<T>(random: () => number, items: readonly T[], count: number): T[] {
	const chosen = new Set<number>();
	while (chosen.size < Math.min(count, items.length)) {
		chosen.add(Math.floor(random() * items.length));
	}
	return [...chosen].sort((a, b) => a - b).map((index) => items[index]);
}

function salary(
	random: () => number,
	role: Role,
	level: number,
	currency: keyof typeof CURRENCY
): string | null {
	// One posting in eight leaves the pay out, as real ones do.
	if (random() < 0.125) return null;
	const { sign, factor } = CURRENCY[currency];
	const low = Math.round(((role.pay[0] + random() * 20) * level * factor) / 5) * 5;
	const high = low + Math.round((role.pay[1] * level * factor) / 5) * 5;
	const amount = (thousands: number) => `${sign}${thousands.toLocaleString('en-US')},000`;
	return `${amount(low)} - ${amount(high)}`;
}

function generate(count: number, seed: number): DemoJob[] {
	const random = mulberry32(seed);
	const taken = new Set(HAND_WRITTEN.map((job) => `${job.title}|${job.company}`));
	const jobs: DemoJob[] = [];
	while (jobs.length < count) {
		const role = pick(random, ROLES);
		const level = role.levelled ? pick(random, LEVELS) : LEVELS[0];
		const title = `${level.prefix}${role.title}`;
		const company = pick(random, COMPANIES);
		if (taken.has(`${title}|${company.name}`)) continue;
		taken.add(`${title}|${company.name}`);
		const place = pick(random, PLACES);
		const skills = [...role.core, ...sample(random, role.extra, 1 + Math.floor(random() * 3))];
		jobs.push({
			title,
			company: company.name,
			location: place.location,
			work_mode: place.work_mode,
			salary_range: salary(random, role, level.pay, place.currency),
			description: `${role.work} ${company.field}. You will work with ${skills.join(', ')}.`,
			skills,
			daysAgo: 1 + Math.floor(random() * 45)
		});
	}
	return jobs;
}

/**
 * Every demo job: the hand-written ones first, then `GENERATED_JOB_COUNT` generated from a fixed
 * seed (the same list on every call).
 */
export function demoJobs(): DemoJob[] {
	return [...HAND_WRITTEN, ...generate(GENERATED_JOB_COUNT, 20_261_201)];
}
