using FaceKit.Core.Embeddings;
using FaceKit.Gallery;
using FaceKit.Video.Processing;

namespace FaceKit.Video.Tests;

public class IdentityVotesTests
{
    private static readonly Embedding Any = new([1f, 0f], "m");

    private static GalleryMatch Match(string name, float s) => new(1, name, s, 1);

    [Fact]
    public void Majority_WinsOverAnOddResult_AndThresholdChangesApplyWithoutNewResults()
    {
        var votes = new IdentityVotes(5);
        votes.Add(Any, Match("Sheldon", 0.6f), 0.2f);
        votes.Add(Any, Match("Leonard", 0.7f), 0.2f);
        votes.Add(Any, Match("Sheldon", 0.5f), 0.2f);

        var (name, similarity, best, bestSimilarity) = votes.Decide(0.33f);
        Assert.Equal("Sheldon", name);
        Assert.Equal(0.55f, similarity, 3);
        Assert.Equal(("Leonard", 0.7f), (best, bestSimilarity));

        Assert.Null(votes.Decide(0.65f).Name);
    }

    [Fact]
    public void OldestResult_LeavesWhenCapacityIsReached()
    {
        var votes = new IdentityVotes(2);
        votes.Add(Any, null, 0.2f);
        votes.Add(Any, Match("Penny", 0.8f), 0.2f);
        votes.Add(Any, Match("Penny", 0.8f), 0.2f);
        Assert.Equal(2, votes.Count);
        Assert.Equal("Penny", votes.Decide(0.3f).Name);
    }

    [Fact]
    public void ADifferentFace_OnTheSameTrack_ResetsTheVotes()
    {
        var votes = new IdentityVotes(5);
        votes.Add(Any, Match("Sheldon", 0.9f), 0.2f);
        votes.Add(Any, Match("Sheldon", 0.9f), 0.2f);
        votes.Add(new Embedding([0f, 1f], "m"), null, 0.2f);
        Assert.Equal(1, votes.Count);
        Assert.Null(votes.Decide(0.3f).Name);
    }
}
